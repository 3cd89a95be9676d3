-- Issue 17: legal entities (Art. 11-13) contract through a signatory of the commercial
-- register; their employees act for them per service (Art. 12).
CREATE TABLE "entity_application" (
    "id" TEXT NOT NULL,
    "canton" TEXT NOT NULL,
    "uid" TEXT NOT NULL,
    "filed_by_sub" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "street" TEXT NOT NULL,
    "post_code" TEXT NOT NULL,
    "locality" TEXT NOT NULL,
    "administrator_sub" TEXT,
    "terms_version" TEXT NOT NULL,
    "document_sha256" TEXT NOT NULL,
    "signature_value" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "signature_evidence" JSONB,
    "register_answer" JSONB,
    "signing_power" TEXT,
    "refusal_reasons" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "idempotency_key" TEXT,
    "request_hash" TEXT NOT NULL,
    "submitted_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_at" TIMESTAMPTZ(3),
    "entity_id" TEXT,
    CONSTRAINT "entity_application_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "entity_application_entity_id_key" ON "entity_application"("entity_id");
CREATE UNIQUE INDEX "entity_application_filed_by_sub_idempotency_key_key" ON "entity_application"("filed_by_sub", "idempotency_key");
CREATE INDEX "entity_application_uid_idx" ON "entity_application"("uid");

CREATE TABLE "legal_entity" (
    "id" TEXT NOT NULL,
    "sub" TEXT NOT NULL,
    "uid" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "legal_form" TEXT NOT NULL,
    "legal_seat" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "street" TEXT NOT NULL,
    "post_code" TEXT NOT NULL,
    "locality" TEXT NOT NULL,
    "canton" TEXT NOT NULL,
    "signing_power" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retention_category" TEXT NOT NULL DEFAULT 'contract-evidence',
    CONSTRAINT "legal_entity_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "legal_entity_sub_key" ON "legal_entity"("sub");
CREATE UNIQUE INDEX "legal_entity_uid_key" ON "legal_entity"("uid");
CREATE UNIQUE INDEX "legal_entity_application_id_key" ON "legal_entity"("application_id");

CREATE TABLE "entity_member" (
    "id" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "sub" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "services" TEXT[],
    "status" TEXT NOT NULL,
    "added_by_sub" TEXT NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL,
    "blocked_at" TIMESTAMPTZ(3),
    "blocked_by_sub" TEXT,
    "block_reason" TEXT,
    CONSTRAINT "entity_member_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "entity_member_entity_id_sub_key" ON "entity_member"("entity_id", "sub");
CREATE INDEX "entity_member_sub_idx" ON "entity_member"("sub");
ALTER TABLE "entity_member" ADD CONSTRAINT "entity_member_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "legal_entity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A contract is held by a person or by an entity.
ALTER TABLE "contract" ALTER COLUMN "user_id" DROP NOT NULL;
ALTER TABLE "contract" ADD COLUMN "entity_id" TEXT;
ALTER TABLE "contract" ADD CONSTRAINT "contract_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "legal_entity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "contract" ADD CONSTRAINT "contract_one_holder" CHECK (("user_id" IS NULL) <> ("entity_id" IS NULL));

-- Entity tasks; an entity's access requests carry its UID instead of an AVS number.
ALTER TABLE "task" ADD COLUMN "entity_application_id" TEXT;
ALTER TABLE "access_request" ALTER COLUMN "avs_number" DROP NOT NULL;
ALTER TABLE "access_request" ADD COLUMN "uid" TEXT;
