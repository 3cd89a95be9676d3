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
