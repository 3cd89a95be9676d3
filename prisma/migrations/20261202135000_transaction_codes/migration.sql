-- Issue 18 item 4: single-use transaction codes for sensitive transactions (NE 4.5).
CREATE TABLE "transaction_code" (
    "id" UUID NOT NULL,
    "user_sub" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "code_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "wrong_tries" INTEGER NOT NULL DEFAULT 0,
    "used_at" TIMESTAMPTZ(3),
    "used_for" TEXT,
    "sms_message_id" TEXT,

    CONSTRAINT "transaction_code_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "transaction_code_user_sub_expires_at_idx" ON "transaction_code"("user_sub", "expires_at");
