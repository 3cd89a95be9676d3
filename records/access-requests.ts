import { localDay } from '../domain/days';
import { profiles } from '../domain/profiles';
import type { Db } from '../infra/db';
import type { AccessRequestInput } from '../workflows/access-request/types';
import { SYSTEM_ACTOR, writeAudit } from './audit';

/**
 * Enters an access request in the database, once: the API does it before it starts the
 * workflow (so the request is readable at once), the workflow's activity again after a
 * crash in between.
 */
export async function recordAccessRequestRow(db: Db, input: AccessRequestInput, workflowId?: string): Promise<void> {
  const requestedAt = new Date(input.requestedAt);
  await db.$transaction(async (tx) => {
    const existing = await tx.accessRequest.findUnique({ where: { id: input.requestId } });
    if (existing) return;
    await tx.accessRequest.create({
      data: {
        id: input.requestId,
        canton: input.canton,
        unitId: input.unitId,
        service: input.service,
        citizenSub: input.citizenSub,
        filedBySub: input.filedBySub,
        avsNumber: input.applicant.avsNumber ?? null,
        uid: input.applicant.uid ?? null,
        email: input.applicant.email,
        note: input.note ?? null,
        status: 'awaiting-unit',
        requestedAt,
        // Art. 19 al. 1 c: an "other transaction", kept 18 months from its day.
        retentionEventDay: localDay(requestedAt, profiles[input.canton].timeZone),
      },
    });
    await writeAudit(tx, { ...SYSTEM_ACTOR, action: 'access-request.recorded', recordType: 'access-request', recordId: input.requestId, workflowId });
  });
}
