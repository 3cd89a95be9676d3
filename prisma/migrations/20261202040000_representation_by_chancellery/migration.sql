-- Issue 17 item 3: representation through the Chancellery. NE unrestricted proxies need a
-- written proxy with a legalised signature and are revoked in writing (LGSU Art. 22 al. 3-4);
-- legal representatives (Art. 9.5) and written proxies of persons without access (Art. 9.4).
ALTER TABLE "proxy" ADD COLUMN "form" TEXT NOT NULL DEFAULT 'electronic';
ALTER TABLE "proxy" ADD COLUMN "written_revocation" JSONB;

ALTER TABLE "task" ADD COLUMN "proxy_id" TEXT;
ALTER TABLE "task" ADD COLUMN "representation_id" UUID;

CREATE TABLE "representation_request" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "canton" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "representative_sub" TEXT NOT NULL,
    "basis" TEXT,
    "services" TEXT[],
    "decisions" BOOLEAN NOT NULL DEFAULT false,
    "until" TEXT,
    "avs_number" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "first_name" TEXT NOT NULL,
    "birth_date" TEXT NOT NULL,
    "street" TEXT NOT NULL,
    "post_code" TEXT NOT NULL,
    "locality" TEXT NOT NULL,
    "commune" TEXT NOT NULL,
    "email" TEXT,
    "checks" JSONB,
    "refusal_reasons" TEXT[],
    "represented_sub" TEXT,
    "proxy_id" TEXT,
    "submitted_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_at" TIMESTAMPTZ(3),
    CONSTRAINT "representation_request_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "representation_request_represented_sub_key" ON "representation_request"("represented_sub");
CREATE INDEX "representation_request_representative_sub_idx" ON "representation_request"("representative_sub");
CREATE INDEX "representation_request_avs_number_idx" ON "representation_request"("avs_number");
