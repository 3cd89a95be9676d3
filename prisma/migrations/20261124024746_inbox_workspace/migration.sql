-- DropIndex
DROP INDEX "task_claimed_by_status_idx";

-- DropIndex
DROP INDEX "task_kind_status_idx";

-- CreateTable
CREATE TABLE "saved_view" (
    "id" UUID NOT NULL,
    "owner_sub" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "filters" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "saved_view_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "saved_view_owner_sub_name_key" ON "saved_view"("owner_sub", "name");

-- CreateIndex
CREATE INDEX "task_status_kind_due_at_id_idx" ON "task"("status", "kind", "due_at", "id");

-- CreateIndex
CREATE INDEX "task_status_claimed_by_due_at_id_idx" ON "task"("status", "claimed_by", "due_at", "id");

-- CreateIndex
CREATE INDEX "task_status_canton_commune_due_at_id_idx" ON "task"("status", "canton", "commune", "due_at", "id");

-- Live inbox: every new or changed task is announced on channel task_changed, ids and
-- states only (no personal data), for the API's server-sent events.
CREATE FUNCTION notify_task_changed() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('task_changed', json_build_object(
    'op', lower(TG_OP), 'taskId', NEW.id, 'kind', NEW.kind, 'status', NEW.status, 'claimedBy', NEW.claimed_by,
    'outcome', NEW.outcome, 'dueAt', to_char(NEW.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'canton', NEW.canton, 'commune', NEW.commune,
    'applicationId', NEW.application_id, 'contractId', NEW.contract_id)::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER task_changed AFTER INSERT OR UPDATE ON "task"
  FOR EACH ROW EXECUTE FUNCTION notify_task_changed();
