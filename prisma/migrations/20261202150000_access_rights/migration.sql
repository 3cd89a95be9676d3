-- Issue 18 item 4: Neuchâtel's access rights (NE 7.1, 7.4, 7.6), mirrored from each account's
-- process so the Chancellery lists locked, blocked and deactivated accounts.
CREATE TABLE "access_rights" (
    "user_id" TEXT NOT NULL,
    "canton" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "locked_until" TIMESTAMPTZ(3),
    "failures_in_a_row" INTEGER NOT NULL,
    "last_sign_in_at" TIMESTAMPTZ(3),
    "deactivates_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "access_rights_pkey" PRIMARY KEY ("user_id")
);

CREATE INDEX "access_rights_state_updated_at_idx" ON "access_rights"("state", "updated_at");
