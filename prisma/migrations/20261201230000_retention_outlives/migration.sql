-- What outlives its record (Art. 18.1 b, 19).

-- A consent is kept while a decision served through the counter under it is kept (holds
-- included); the destruction of a decision or of the contract evidence looks it up by this.
CREATE INDEX "decision_consent_id_idx" ON "decision"("consent_id");

-- When a record is destroyed, the audit rows about it lose the personal identifiers they hold.
-- The audit log stays append-only for everything else: the one change the trigger lets through
-- is the shape audit_log_scrub() writes, under the transaction-local flag it sets and clears: a
-- citizen's subject (actor_sub) or the subject a counsellor acted for (on_behalf_of) replaced
-- by the fixed placeholder '[erased]', the citizen's request id dropped, every other column
-- unchanged. The shape is the guard: a session that set the flag itself could erase
-- identifiers, nothing more. Any other UPDATE, and every DELETE, is refused as before.
CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND current_setting('guichet.audit_log_scrub', true) = 'on'
     AND to_jsonb(NEW) - ARRAY['actor_sub', 'on_behalf_of', 'request_id'] = to_jsonb(OLD) - ARRAY['actor_sub', 'on_behalf_of', 'request_id']
     AND (NEW."actor_sub" = OLD."actor_sub" OR NEW."actor_sub" = '[erased]')
     AND (NEW."on_behalf_of" IS NOT DISTINCT FROM OLD."on_behalf_of" OR NEW."on_behalf_of" = '[erased]')
     AND (NEW."request_id" IS NOT DISTINCT FROM OLD."request_id" OR NEW."request_id" IS NULL)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

-- The rows about the given records ((record_types[i], record_ids[i]) pairs) lose the
-- subjects of citizens (role 'citizen', or one of `subjects`: the persons of the destroyed
-- records), the subject a counsellor acted for, and those citizens' request ids. Returns the
-- number of rows changed; rows with nothing left to erase are not counted again.
CREATE FUNCTION audit_log_scrub(record_types TEXT[], record_ids TEXT[], subjects TEXT[]) RETURNS INTEGER AS $$
DECLARE
  scrubbed INTEGER;
BEGIN
  PERFORM set_config('guichet.audit_log_scrub', 'on', true);
  UPDATE "audit_log" AS a
  SET
    "actor_sub" = CASE WHEN a."actor_role" = 'citizen' OR a."actor_sub" = ANY(subjects) THEN '[erased]' ELSE a."actor_sub" END,
    "request_id" = CASE WHEN a."actor_role" = 'citizen' OR a."actor_sub" = ANY(subjects) THEN NULL ELSE a."request_id" END,
    "on_behalf_of" = CASE WHEN a."on_behalf_of" IS NULL THEN NULL ELSE '[erased]' END
  FROM (SELECT DISTINCT t, i FROM unnest(record_types, record_ids) AS r(t, i)) AS r
  WHERE a."record_type" = r.t
    AND a."record_id" = r.i
    AND (
      (a."actor_sub" <> '[erased]' AND (a."actor_role" = 'citizen' OR a."actor_sub" = ANY(subjects)))
      OR (a."on_behalf_of" IS NOT NULL AND a."on_behalf_of" <> '[erased]')
    );
  GET DIAGNOSTICS scrubbed = ROW_COUNT;
  PERFORM set_config('guichet.audit_log_scrub', '', true);
  RETURN scrubbed;
END;
$$ LANGUAGE plpgsql;
