// Destruction at the end of retention (Art. 19): the record's rows and documents, its data
// key (crypto-shredding: the histories holding its personal data become unreadable), and a
// destruction record with no personal data. Idempotent: a retry after a crash finds the
// destruction record and only makes sure the key is gone.
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { localDay } from '../domain/days';
import { profiles } from '../domain/profiles';
import type { DataKeyStore } from '../infra/data-keys';
import type { Db } from '../infra/db';
import { dataKeyId } from '../workflows/personal-data';
import type { RecordKind, RetentionInput } from '../workflows/retention/definitions';
import { writeAudit } from '../records/audit';
import type { RetentionEngine } from './ports';

export interface RetentionDeps {
  db: Db;
  dataKeys?: DataKeyStore | null;
  retention: RetentionEngine;
}

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

const LEGAL_BASIS: Record<RetentionInput['category'], string> = {
  'contract-evidence': 'Art. 18 al. 1 let. a, art. 19 (preuves du contrat: durée du contrat + 1 an)',
  'decision-service': 'Art. 18 al. 1 let. b, art. 19 (notification d’une décision: 2 ans, hors litige pendant)',
  'other-transaction': 'Art. 18 al. 1 let. c, art. 19 (autres transactions: 18 mois)',
};

/** A reference that matches a record id one already holds and reveals none. */
export const recordRef = (kind: RecordKind, id: string) => createHash('sha256').update(`${kind}:${id}`).digest('hex');

/** Deletes a record's rows, in dependency order; returns the count per table. */
async function deleteRows(tx: Tx, kind: RecordKind, id: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const count = (table: string, n: { count: number }) => (counts[table] = (counts[table] ?? 0) + n.count);
  switch (kind) {
    case 'access-request':
      count('access_request', await tx.accessRequest.deleteMany({ where: { id } }));
      break;
    case 'onboarding-application':
      count('task', await tx.task.deleteMany({ where: { applicationId: id } }));
      count('open_application', await tx.openApplication.deleteMany({ where: { applicationId: id } }));
      count('onboarding_application', await tx.onboardingApplication.deleteMany({ where: { id } }));
      break;
    case 'decision':
      count('postal_event', await tx.postalEvent.deleteMany({ where: { decisionId: id } }));
      count('webhook_delivery', await tx.webhookDelivery.deleteMany({ where: { decisionId: id } }));
      // The decision's PDF is a column of its row: gone with it.
      count('decision', await tx.decision.deleteMany({ where: { id } }));
      break;
    case 'contract': {
      const c = await tx.contract.findUnique({ where: { id }, select: { userId: true, user: { select: { sub: true } } } });
      count('terms_acceptance', await tx.termsAcceptance.deleteMany({ where: { contractId: id } }));
      count('contract_amendment', await tx.contractAmendment.deleteMany({ where: { contractId: id } }));
      count('task', await tx.task.deleteMany({ where: { contractId: id } }));
      count('contract', await tx.contract.deleteMany({ where: { id } }));
      if (c && (await tx.contract.count({ where: { userId: c.userId } })) === 0) {
        // The user register entry and the consents are the contract's evidence too (Art. 8, 16.1).
        count('service_consent', await tx.serviceConsent.deleteMany({ where: { userSub: c.user.sub } }));
        count('contact_change', await tx.contactChange.deleteMany({ where: { userId: c.userId } }));
        count('registered_user', await tx.registeredUser.deleteMany({ where: { id: c.userId } }));
      }
      break;
    }
  }
  return counts;
}

export function createRetentionActivities({ db, dataKeys, retention }: RetentionDeps) {
  return {
    /**
     * Destroys the record once its last day is over, unless a legal hold is active. The day
     * is the server's (the activity's scheduled time), never this machine's clock, so a
     * timer that fired early or a skewed clock destroys nothing early.
     */
    async destroyRecord(r: RetentionInput & { lastDay: string }): Promise<{ destroyed: boolean; holds: number; destroyedAt?: string }> {
      const serverNow = new Date(Context.current().info.currentAttemptScheduledTimestampMs);
      const today = localDay(serverNow, profiles[r.canton].timeZone);
      if (today <= r.lastDay) throw ApplicationFailure.retryable(`${r.recordKind} is kept through ${r.lastDay}; today is ${today}`, 'TooEarly');
      const ref = recordRef(r.recordKind, r.recordId);
      const outcome = await db.$transaction(async (tx) => {
        const done = await tx.destructionRecord.findUnique({ where: { recordRef: ref } });
        if (done) return { destroyed: true, holds: 0, destroyedAt: done.destroyedAt.toISOString() };
        const holds = await tx.legalHold.count({ where: { recordKind: r.recordKind, recordId: r.recordId, liftedAt: null } });
        if (holds > 0) return { destroyed: false, holds };
        const counts = await deleteRows(tx, r.recordKind, r.recordId);
        const rec = await tx.destructionRecord.create({
          data: {
            recordKind: r.recordKind,
            recordRef: ref,
            category: r.category,
            eventDay: r.eventDay,
            lastDay: r.lastDay,
            counts: { rows: counts, dataKeys: 1 },
            legalBasis: LEGAL_BASIS[r.category],
            destroyedAt: serverNow,
          },
        });
        await writeAudit(tx, {
          actorRole: 'system',
          actorSub: 'retention',
          action: `retention.destroyed.${r.category}`,
          recordType: r.recordKind,
          recordId: ref,
        });
        return { destroyed: true, holds: 0, destroyedAt: rec.destroyedAt.toISOString() };
      });
      // After the rows (a crash in between: the retry lands here again).
      if (outcome.destroyed) {
        if (!dataKeys) throw ApplicationFailure.nonRetryable('this worker has no data-key store: cannot destroy the data key', 'Misconfigured');
        await dataKeys.destroy(dataKeyId(r.recordKind, r.recordId));
      }
      return outcome;
    },

    /** Starts a record's retention once the event its period counts from is known. */
    async scheduleRetention(input: RetentionInput): Promise<void> {
      await retention.schedule(input);
    },
  };
}
