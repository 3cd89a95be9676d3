-- NE 3.1, 4.1-4.3: each account's own access rights, and the mobile phone its codes go to.
ALTER TABLE "onboarding_application" ADD COLUMN "mobile_phone" TEXT;
ALTER TABLE "registered_user" ADD COLUMN "mobile_phone" TEXT;

CREATE TABLE "credential" (
    "user_id" TEXT NOT NULL,
    "user_code" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "must_change" BOOLEAN NOT NULL,
    "generation" INTEGER NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "password_changed_at" TIMESTAMPTZ(3),
    "user_code_letter" TEXT,
    "password_letter" TEXT,

    CONSTRAINT "credential_pkey" PRIMARY KEY ("user_id")
);

CREATE UNIQUE INDEX "credential_user_code_key" ON "credential"("user_code");
