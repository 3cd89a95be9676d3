-- CreateTable
CREATE TABLE "onboarding_application" (
    "id" TEXT NOT NULL,
    "canton" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "applicant_sub" TEXT NOT NULL,
    "filed_by_sub" TEXT NOT NULL,
    "filed_by_role" TEXT NOT NULL,
    "idempotency_key" TEXT,
    "request_hash" TEXT NOT NULL,
    "avs_number" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "first_name" TEXT NOT NULL,
    "street" TEXT NOT NULL,
    "post_code" TEXT NOT NULL,
    "locality" TEXT NOT NULL,
    "commune" TEXT NOT NULL,
    "birth_date" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "identity_proof_ref" TEXT NOT NULL,
    "document_sha256" TEXT NOT NULL,
    "signature_value" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "terms_version" TEXT NOT NULL,
    "checks" JSONB,
    "refusal_reasons" TEXT[],
    "formal_decision_deadline" TEXT,
    "submitted_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_at" TIMESTAMPTZ(3),
    "retention_category" TEXT NOT NULL DEFAULT 'other-transaction',
    "retention_event_day" TEXT NOT NULL,

    CONSTRAINT "onboarding_application_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "open_application" (
    "avs_number" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,

    CONSTRAINT "open_application_pkey" PRIMARY KEY ("avs_number")
);

-- CreateTable
CREATE TABLE "registered_user" (
    "id" TEXT NOT NULL,
    "sub" TEXT NOT NULL,
    "avs_number" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "first_name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "street" TEXT NOT NULL,
    "post_code" TEXT NOT NULL,
    "locality" TEXT NOT NULL,
    "commune" TEXT NOT NULL,
    "birth_date" TEXT NOT NULL,
    "canton" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "registered_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contract" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "started_on" TEXT NOT NULL,
    "terms_version" TEXT NOT NULL,
    "document_sha256" TEXT NOT NULL,
    "signature_value" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "identity_proof_ref" TEXT NOT NULL,
    "special_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retention_category" TEXT NOT NULL DEFAULT 'contract-evidence',

    CONSTRAINT "contract_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "canton" TEXT NOT NULL,
    "commune" TEXT,
    "subject" TEXT NOT NULL,
    "claimed_by" TEXT,
    "claimed_at" TIMESTAMPTZ(3),
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "reminders_sent" INTEGER NOT NULL DEFAULT 0,
    "escalated_at" TIMESTAMPTZ(3),
    "outcome" TEXT,
    "justification" TEXT,
    "reasons" TEXT[],
    "completed_by" TEXT,
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mail_outbox" (
    "id" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "record_type" TEXT NOT NULL,
    "record_id" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mail_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "onboarding_application_applicant_sub_idx" ON "onboarding_application"("applicant_sub");

-- CreateIndex
CREATE UNIQUE INDEX "onboarding_application_filed_by_sub_idempotency_key_key" ON "onboarding_application"("filed_by_sub", "idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "open_application_application_id_key" ON "open_application"("application_id");

-- CreateIndex
CREATE UNIQUE INDEX "registered_user_sub_key" ON "registered_user"("sub");

-- CreateIndex
CREATE UNIQUE INDEX "registered_user_avs_number_key" ON "registered_user"("avs_number");

-- CreateIndex
CREATE UNIQUE INDEX "registered_user_application_id_key" ON "registered_user"("application_id");

-- CreateIndex
CREATE UNIQUE INDEX "contract_application_id_key" ON "contract"("application_id");

-- CreateIndex
CREATE INDEX "task_status_due_at_id_idx" ON "task"("status", "due_at", "id");

-- CreateIndex
CREATE INDEX "task_kind_status_idx" ON "task"("kind", "status");

-- CreateIndex
CREATE INDEX "task_claimed_by_status_idx" ON "task"("claimed_by", "status");

-- AddForeignKey
ALTER TABLE "contract" ADD CONSTRAINT "contract_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "registered_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task" ADD CONSTRAINT "task_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "onboarding_application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
