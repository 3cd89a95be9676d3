-- DropForeignKey
ALTER TABLE "task" DROP CONSTRAINT "task_application_id_fkey";

-- AlterTable
ALTER TABLE "contract" ADD COLUMN     "canton" TEXT NOT NULL DEFAULT 'JU',
ADD COLUMN     "ended_on" TEXT,
ADD COLUMN     "notice_ends_on" TEXT,
ADD COLUMN     "status_reason" TEXT,
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "task" ADD COLUMN     "contract_id" TEXT,
ALTER COLUMN "application_id" DROP NOT NULL;

-- CreateTable
CREATE TABLE "terms_version" (
    "version" TEXT NOT NULL,
    "sequence" SERIAL NOT NULL,
    "canton" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "media_type" TEXT NOT NULL,
    "document" BYTEA NOT NULL,
    "document_sha256" TEXT NOT NULL,
    "effective_on" TEXT NOT NULL,
    "acceptance_days" INTEGER NOT NULL,
    "restrict_from" TEXT NOT NULL,
    "block_from" TEXT NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_by" TEXT NOT NULL,

    CONSTRAINT "terms_version_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "terms_acceptance" (
    "id" TEXT NOT NULL,
    "contract_id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "document_sha256" TEXT NOT NULL,
    "signature_value" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "accepted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "accepted_by" TEXT NOT NULL,
    "retention_category" TEXT NOT NULL DEFAULT 'contract-evidence',

    CONSTRAINT "terms_acceptance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contract_amendment" (
    "id" TEXT NOT NULL,
    "contract_id" TEXT NOT NULL,
    "terms_version" TEXT NOT NULL,
    "clauses" TEXT[],
    "task_id" TEXT NOT NULL,
    "agreed_by" TEXT NOT NULL,
    "agreed_at" TIMESTAMPTZ(3) NOT NULL,
    "retention_category" TEXT NOT NULL DEFAULT 'contract-evidence',

    CONSTRAINT "contract_amendment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "terms_version_sequence_key" ON "terms_version"("sequence");

-- CreateIndex
CREATE UNIQUE INDEX "terms_acceptance_contract_id_version_key" ON "terms_acceptance"("contract_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "contract_amendment_task_id_key" ON "contract_amendment"("task_id");

-- CreateIndex
CREATE INDEX "contract_canton_ended_on_id_idx" ON "contract"("canton", "ended_on", "id");

-- AddForeignKey
ALTER TABLE "terms_acceptance" ADD CONSTRAINT "terms_acceptance_contract_id_fkey" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contract_amendment" ADD CONSTRAINT "contract_amendment_contract_id_fkey" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task" ADD CONSTRAINT "task_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "onboarding_application"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task" ADD CONSTRAINT "task_contract_id_fkey" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Contracts made before this migration take their canton from their user.
UPDATE "contract" c SET "canton" = u."canton" FROM "registered_user" u WHERE u."id" = c."user_id";
