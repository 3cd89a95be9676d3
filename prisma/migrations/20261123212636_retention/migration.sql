-- CreateTable
CREATE TABLE "legal_hold" (
    "id" TEXT NOT NULL,
    "record_kind" TEXT NOT NULL,
    "record_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "placed_by" TEXT NOT NULL,
    "placed_role" TEXT NOT NULL,
    "placed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lifted_by" TEXT,
    "lifted_at" TIMESTAMPTZ(3),

    CONSTRAINT "legal_hold_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "destruction_record" (
    "id" BIGSERIAL NOT NULL,
    "record_kind" TEXT NOT NULL,
    "record_ref" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "event_day" TEXT NOT NULL,
    "last_day" TEXT NOT NULL,
    "counts" JSONB NOT NULL,
    "legal_basis" TEXT NOT NULL,
    "destroyed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "destruction_record_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "access_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_role" TEXT NOT NULL,
    "actor_sub" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "record_type" TEXT NOT NULL,
    "record_id" TEXT,
    "purpose" TEXT NOT NULL,
    "request_id" TEXT,

    CONSTRAINT "access_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "data_key" (
    "id" TEXT NOT NULL,
    "wrapped" BYTEA,
    "wrap_key_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "destroyed_at" TIMESTAMPTZ(3),

    CONSTRAINT "data_key_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "legal_hold_record_kind_record_id_lifted_at_idx" ON "legal_hold"("record_kind", "record_id", "lifted_at");

-- CreateIndex
CREATE UNIQUE INDEX "destruction_record_record_ref_key" ON "destruction_record"("record_ref");

-- CreateIndex
CREATE INDEX "access_log_at_idx" ON "access_log"("at");

-- CreateIndex
CREATE INDEX "access_log_actor_sub_at_idx" ON "access_log"("actor_sub", "at");

-- Destruction records and the access log are append-only: rows are never changed nor removed.
CREATE FUNCTION append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER destruction_record_append_only
  BEFORE UPDATE OR DELETE ON "destruction_record"
  FOR EACH ROW EXECUTE FUNCTION append_only();

CREATE TRIGGER access_log_append_only
  BEFORE UPDATE OR DELETE ON "access_log"
  FOR EACH ROW EXECUTE FUNCTION append_only();

-- The user register entry and the consents are contract evidence (Art. 8, 16.1; Art. 18.1 a).
ALTER TABLE "registered_user" ADD COLUMN "retention_category" TEXT NOT NULL DEFAULT 'contract-evidence';
ALTER TABLE "service_consent" ADD COLUMN "retention_category" TEXT NOT NULL DEFAULT 'contract-evidence';
