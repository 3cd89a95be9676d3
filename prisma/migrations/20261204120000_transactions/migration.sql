-- Art. 14-15: access decided in the unit's inbox and revoked for abuse; transactions with their
-- receipts, fees and answers; the citizen's inbox of documents.

-- Art. 14.3: an access revoked for abuse or breach of the rules, with its reasons.
ALTER TABLE "access_request" ADD COLUMN "revoked_at" TIMESTAMPTZ(3);
ALTER TABLE "access_request" ADD COLUMN "revoked_by_sub" TEXT;
ALTER TABLE "access_request" ADD COLUMN "revocation_reasons" TEXT[] DEFAULT ARRAY[]::TEXT[];
CREATE INDEX "access_request_citizen_sub_service_idx" ON "access_request"("citizen_sub", "service");

-- The unit's inbox holds access requests and transactions too.
ALTER TABLE "task" ADD COLUMN "access_request_id" TEXT;
ALTER TABLE "task" ADD COLUMN "transaction_id" TEXT;

-- A unit's webhook events are not all about a decision.
ALTER TABLE "webhook_delivery" ALTER COLUMN "decision_id" DROP NOT NULL;
ALTER TABLE "webhook_delivery" ADD COLUMN "record_type" TEXT;
ALTER TABLE "webhook_delivery" ADD COLUMN "record_id" TEXT;

-- Where a unit's fees are paid (the QR-bill's creditor: account and structured address).
ALTER TABLE "unit" ADD COLUMN "creditor" JSONB;

CREATE SEQUENCE "transaction_receipt_seq";

CREATE TABLE "transaction" (
    "id" TEXT NOT NULL,
    "receipt_number" TEXT NOT NULL,
    "canton" TEXT NOT NULL,
    "service_id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "citizen_sub" TEXT NOT NULL,
    "filed_by_sub" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "form" JSONB NOT NULL,
    "fee_cents" INTEGER,
    "payment_state" TEXT,
    "payment_reference" TEXT,
    "provider_transaction_id" TEXT,
    "outcome" TEXT,
    "reasons" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "answered_by_sub" TEXT,
    "answered_at" TIMESTAMPTZ(3),
    "missing_information" TEXT,
    "answer_document" BYTEA,
    "answer_document_title" TEXT,
    "completion_due_at" TIMESTAMPTZ(3),
    "submitted_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),
    "retention_category" TEXT NOT NULL DEFAULT 'other-transaction',
    "retention_event_day" TEXT NOT NULL,

    CONSTRAINT "transaction_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "transaction_receipt_number_key" ON "transaction"("receipt_number");
CREATE UNIQUE INDEX "transaction_provider_transaction_id_key" ON "transaction"("provider_transaction_id");
CREATE INDEX "transaction_citizen_sub_idx" ON "transaction"("citizen_sub");
CREATE INDEX "transaction_unit_id_status_idx" ON "transaction"("unit_id", "status");

CREATE TABLE "transaction_attachment" (
    "id" TEXT NOT NULL,
    "transaction_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "transaction_attachment_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "transaction_attachment_transaction_id_idx" ON "transaction_attachment"("transaction_id");
ALTER TABLE "transaction_attachment" ADD CONSTRAINT "transaction_attachment_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "transaction"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "inbox_document" (
    "id" TEXT NOT NULL,
    "owner_sub" TEXT NOT NULL,
    "transaction_id" TEXT,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "sha256" TEXT NOT NULL,
    "sealed" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "inbox_document_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "inbox_document_owner_sub_created_at_idx" ON "inbox_document"("owner_sub", "created_at");
CREATE INDEX "inbox_document_transaction_id_idx" ON "inbox_document"("transaction_id");
