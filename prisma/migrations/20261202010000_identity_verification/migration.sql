-- Issue 16: the applicant proved by the federal e-ID, the qualified signatures verified.
CREATE TABLE "identity_verification" (
    "id" TEXT NOT NULL,
    "verifier_id" TEXT NOT NULL,
    "started_by_sub" TEXT NOT NULL,
    "deeplink" TEXT NOT NULL,
    "wallet_url" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "failure_code" TEXT,
    "deadline" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "webhook_at" TIMESTAMPTZ(3),
    "verified_at" TIMESTAMPTZ(3),
    "claims" JSONB,
    "issuer" TEXT,
    "vct" TEXT,
    "presentation_sha256" TEXT,
    "used_by_application" TEXT,
    CONSTRAINT "identity_verification_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "identity_verification_verifier_id_key" ON "identity_verification"("verifier_id");
CREATE UNIQUE INDEX "identity_verification_used_by_application_key" ON "identity_verification"("used_by_application");
CREATE INDEX "identity_verification_started_by_sub_idx" ON "identity_verification"("started_by_sub");

ALTER TABLE "onboarding_application"
    ADD COLUMN "identity_verification_id" TEXT,
    ADD COLUMN "identity_evidence" JSONB,
    ADD COLUMN "signature_evidence" JSONB;
CREATE UNIQUE INDEX "onboarding_application_identity_verification_id_key" ON "onboarding_application"("identity_verification_id");

ALTER TABLE "contract" ADD COLUMN "identity_evidence" JSONB, ADD COLUMN "signature_evidence" JSONB;
ALTER TABLE "terms_acceptance" ADD COLUMN "signature_evidence" JSONB;
