-- Art. 16.2: the unit's choice of channel per decision ('auto': the counter where the
-- recipient consented, else post; 'counter': the counter, which needs the consent; 'post').
ALTER TABLE "decision" ADD COLUMN "channel_choice" TEXT NOT NULL DEFAULT 'auto';
-- Why a decision went by post at once (a first service): its letter says so.
ALTER TABLE "decision" ADD COLUMN "postal_reason" TEXT;
-- The day the registered letter was posted (postal events cannot be earlier) and its pages.
ALTER TABLE "decision" ADD COLUMN "letter_sent_on" TEXT;
ALTER TABLE "decision" ADD COLUMN "letter_pages" INTEGER;

-- An e-mail the relay refused for good: recorded, never retried, and what depends on it goes on.
ALTER TABLE "mail_outbox" ADD COLUMN "rejected_at" TIMESTAMPTZ(3);
ALTER TABLE "mail_outbox" ADD COLUMN "rejection" TEXT;

-- Art. 7.3: each change of a user's contact data, with what it replaced (evidence of the
-- contract: destroyed with the register entry).
CREATE TABLE "contact_change" (
    "id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "changed_by" TEXT NOT NULL,
    "request_id" TEXT,
    "previous" JSONB NOT NULL,
    "current" JSONB NOT NULL,

    CONSTRAINT "contact_change_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "contact_change_user_id_changed_at_idx" ON "contact_change"("user_id", "changed_at");
ALTER TABLE "contact_change" ADD CONSTRAINT "contact_change_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "registered_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The unit of a staff member who read personal data: the person sees who read it by role and unit.
ALTER TABLE "access_log" ADD COLUMN "actor_unit" TEXT;
