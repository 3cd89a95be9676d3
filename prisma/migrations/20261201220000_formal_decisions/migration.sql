-- Tasks a unit owes (a formal decision on access, a letter without tracking): its own inbox.
ALTER TABLE "task" ADD COLUMN "unit_id" TEXT;
ALTER TABLE "task" ADD COLUMN "decision_id" TEXT;
ALTER TABLE "task" ADD COLUMN "formal_request_id" UUID;
CREATE INDEX "task_status_unit_id_due_at_id_idx" ON "task"("status", "unit_id", "due_at", "id");

-- Where a unit's inbox notices go.
ALTER TABLE "unit" ADD COLUMN "email" TEXT;

-- How a contract ended, and the reasons sent to the user (Art. 5.3, 10.2).
ALTER TABLE "contract" ADD COLUMN "end_ground" TEXT;
ALTER TABLE "contract" ADD COLUMN "end_reasons" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- Requests for a formal decision (Art. 4.8, 5.3, 10.2, 14.4): one per contested act.
CREATE TABLE "formal_decision_request" (
    "id" UUID NOT NULL,
    "ground" TEXT NOT NULL,
    "act_ref" TEXT NOT NULL,
    "canton" TEXT NOT NULL,
    "person_sub" TEXT NOT NULL,
    "record_type" TEXT NOT NULL,
    "record_id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "outcome" TEXT,
    "decision_id" TEXT,
    "decided_at" TIMESTAMPTZ(3),

    CONSTRAINT "formal_decision_request_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "formal_decision_request_act_ref_key" ON "formal_decision_request"("act_ref");
CREATE INDEX "formal_decision_request_person_sub_idx" ON "formal_decision_request"("person_sub");
