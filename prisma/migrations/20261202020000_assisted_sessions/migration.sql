-- Issue 17: post-office counsellors act only in an assisted session the citizen opened.
CREATE TABLE "assisted_session" (
    "id" TEXT NOT NULL,
    "citizen_sub" TEXT NOT NULL,
    "counsellor_sub" TEXT NOT NULL,
    "post_office" TEXT NOT NULL,
    "opened_by" TEXT NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),
    CONSTRAINT "assisted_session_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "assisted_session_counsellor_sub_citizen_sub_idx" ON "assisted_session"("counsellor_sub", "citizen_sub");
CREATE INDEX "assisted_session_citizen_sub_idx" ON "assisted_session"("citizen_sub");

-- Proxies (Art. 9.1-9.3), each with its `proxy` workflow.
CREATE TABLE "proxy" (
    "id" TEXT NOT NULL,
    "canton" TEXT NOT NULL,
    "grantor_sub" TEXT NOT NULL,
    "representative_sub" TEXT NOT NULL,
    "services" TEXT[],
    "decisions" BOOLEAN NOT NULL DEFAULT false,
    "until" TEXT,
    "status" TEXT NOT NULL,
    "offered_at" TIMESTAMPTZ(3) NOT NULL,
    "accepted_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),
    CONSTRAINT "proxy_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "proxy_representative_sub_grantor_sub_idx" ON "proxy"("representative_sub", "grantor_sub");
CREATE INDEX "proxy_grantor_sub_idx" ON "proxy"("grantor_sub");
