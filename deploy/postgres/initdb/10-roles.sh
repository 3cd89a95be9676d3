#!/bin/bash
# Runs once, when the postgres container initialises an empty volume (docker-entrypoint-initdb.d).
# One PostgreSQL server, two owners with no rights on each other's data:
#   temporal  owns the "temporal" database; CREATEDB so auto-setup can create temporal_visibility
#   guichet   owns the "guichet" database (the app's registers; prisma migrate deploy)
# Passwords arrive as psql variables (:'var' quotes them), never spliced into SQL text.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v temporal_pw="$TEMPORAL_DB_PASSWORD" -v guichet_pw="$GUICHET_DB_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_pw';
CREATE DATABASE temporal OWNER temporal;
CREATE ROLE guichet LOGIN PASSWORD :'guichet_pw';
CREATE DATABASE guichet OWNER guichet;
REVOKE ALL ON DATABASE temporal FROM PUBLIC;
REVOKE ALL ON DATABASE guichet FROM PUBLIC;
SQL
