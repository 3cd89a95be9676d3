-- CreateTable
CREATE TABLE "unit" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT[],
    "domains" TEXT[],
    "webhook_url" TEXT,
    "webhook_secret" TEXT,

    CONSTRAINT "unit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "service_consent" (
    "id" TEXT NOT NULL,
    "user_sub" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "granted_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "evidence" JSONB NOT NULL,

    CONSTRAINT "service_consent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "decision" (
    "id" TEXT NOT NULL,
    "canton" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "recipient_sub" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "document_sha256" TEXT NOT NULL,
    "document" BYTEA NOT NULL,
    "remedy_kind" TEXT NOT NULL,
    "remedy_days" INTEGER NOT NULL,
    "provisional_measure" BOOLEAN NOT NULL,
    "legal_remedies_text" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "consent_id" TEXT,
    "communicated_at" TIMESTAMPTZ(3),
    "window_last_day" TEXT,
    "opened_at" TIMESTAMPTZ(3),
    "late_opened_at" TIMESTAMPTZ(3),
    "letter_id" TEXT,
    "tracking_number" TEXT,
    "letter_sha256" TEXT,
    "service_rule" TEXT,
    "trigger_day" TEXT,
    "remedy_start" TEXT,
    "remedy_last_day" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retention_category" TEXT NOT NULL DEFAULT 'decision-service',

    CONSTRAINT "decision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "postal_event" (
    "id" TEXT NOT NULL,
    "decision_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "occurred_on" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "postal_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_delivery" (
    "event_id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "decision_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_delivery_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE INDEX "service_consent_user_sub_unit_id_domain_idx" ON "service_consent"("user_sub", "unit_id", "domain");

-- CreateIndex
CREATE UNIQUE INDEX "decision_tracking_number_key" ON "decision"("tracking_number");

-- CreateIndex
CREATE INDEX "decision_recipient_sub_idx" ON "decision"("recipient_sub");

-- CreateIndex
CREATE UNIQUE INDEX "decision_unit_id_reference_key" ON "decision"("unit_id", "reference");

-- CreateIndex
CREATE INDEX "postal_event_decision_id_idx" ON "postal_event"("decision_id");

-- AddForeignKey
ALTER TABLE "postal_event" ADD CONSTRAINT "postal_event_decision_id_fkey" FOREIGN KEY ("decision_id") REFERENCES "decision"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
