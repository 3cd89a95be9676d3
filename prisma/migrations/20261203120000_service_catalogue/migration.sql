-- Art. 14-15: the counter's catalogue of services.
CREATE TABLE "service" (
    "id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "title_fr" TEXT NOT NULL,
    "title_de" TEXT NOT NULL,
    "access" TEXT NOT NULL,
    "delegable" BOOLEAN NOT NULL,
    "adults_only" BOOLEAN NOT NULL,
    "fee_cents" INTEGER,
    "sensitive" BOOLEAN NOT NULL DEFAULT false,
    "form_schema" JSONB,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_by" TEXT NOT NULL,

    CONSTRAINT "service_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "service_unit_id_idx" ON "service"("unit_id");

ALTER TABLE "service" ADD CONSTRAINT "service_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
