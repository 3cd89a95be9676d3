// Destruction at the end of retention (Art. 19): the record's rows and documents, its data
// key (crypto-shredding: the histories holding its personal data become unreadable), and a
// destruction record with no personal data. What outlives the record loses the person: the
// audit and outbox rows about it keep what happened, not who (the destruction record counts
// them), and a consent a kept decision was served under stays as that decision's evidence.
// Idempotent: a retry after a crash finds the destruction record and only makes sure the key
// is gone.
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { localDay } from '../domain/days';
import { profiles } from '../domain/profiles';
import type { DataKeyStore } from '../infra/data-keys';
import type { Db } from '../infra/db';
import { dataKeyId } from '../workflows/personal-data';
import type { RecordKind, RetentionInput } from '../workflows/retention/definitions';
import { scrubAudit, writeAudit, type RecordRefPair } from '../records/audit';
import { scrubOutbox } from '../records/outbox';
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

/** What a destruction removed: rows per table, the records the audit and outbox rows name, the persons. */
interface Removal {
  rows: Record<string, number>;
  /** The destroyed record and the rows that went with it, as audit and outbox rows name them. */
  about: RecordRefPair[];
  /** The e-ID subjects of the persons these records were about. */
  subjects: string[];
  /** Rows that would have gone but outlive the record: consents still evidence of a kept decision. */
  kept: Record<string, number>;
}

/** A decision went through the counter under its consent: 'electronic', or 'electronic+postal' (Art. 16.5). */
const THROUGH_THE_COUNTER = ['electronic', 'electronic+postal'];

/**
 * Destroys the consents among `ids` that nothing keeps any more. A consent is evidence of the
 * contract while the user is in the register (Art. 16.1, 18.1 a), and evidence of every
 * decision that went through the counter under it while that decision is kept, legal holds
 * included (Art. 18.1 b): it goes with whichever of them is destroyed last. The rows are
 * locked first, so two destructions that each see the other's record still there cannot
 * both keep it: the second to lock sees the first's deletion committed.
 */
async function destroyConsentsNoLongerNeeded(tx: Tx, ids: string[], out: Removal, count: (table: string, n: number) => void): Promise<void> {
  if (ids.length === 0) return;
  const consents = await tx.$queryRaw<Array<{ id: string; user_sub: string }>>`
    SELECT id, user_sub FROM service_consent WHERE id = ANY(${ids}::text[]) ORDER BY id FOR UPDATE`;
  for (const c of consents) {
    if ((await tx.decision.count({ where: { consentId: c.id, channel: { in: THROUGH_THE_COUNTER } } })) > 0) {
      out.kept.service_consent = (out.kept.service_consent ?? 0) + 1;
      continue;
    }
    if ((await tx.registeredUser.count({ where: { sub: c.user_sub } })) > 0) continue;
    count('service_consent', (await tx.serviceConsent.deleteMany({ where: { id: c.id } })).count);
    out.about.push({ recordType: 'service-consent', recordId: c.id });
    out.subjects.push(c.user_sub);
  }
}

/** Deletes a record's rows, in dependency order, and what goes with them. */
async function deleteRows(tx: Tx, kind: RecordKind, id: string): Promise<Removal> {
  const out: Removal = { rows: {}, about: [{ recordType: kind, recordId: id }], subjects: [], kept: {} };
  const count = (table: string, n: number) => (out.rows[table] = (out.rows[table] ?? 0) + n);
  const about = (recordType: string, rows: Array<{ id: string }>) => out.about.push(...rows.map((r) => ({ recordType, recordId: r.id })));
  const person = (sub: string | undefined) => sub !== undefined && out.subjects.push(sub);
  switch (kind) {
    case 'access-request':
      person((await tx.accessRequest.findUnique({ where: { id }, select: { citizenSub: true } }))?.citizenSub);
      about('task', await tx.task.findMany({ where: { accessRequestId: id }, select: { id: true } }));
      count('task', (await tx.task.deleteMany({ where: { accessRequestId: id } })).count);
      count('webhook_delivery', (await tx.webhookDelivery.deleteMany({ where: { recordType: 'access-request', recordId: id } })).count);
      count('access_request', (await tx.accessRequest.deleteMany({ where: { id } })).count);
      break;
    case 'transaction':
      // Art. 18.1 c, 19: the submission, its files, the documents of the inbox it gave, its tasks.
      person((await tx.transaction.findUnique({ where: { id }, select: { citizenSub: true } }))?.citizenSub);
      about('task', await tx.task.findMany({ where: { transactionId: id }, select: { id: true } }));
      count('task', (await tx.task.deleteMany({ where: { transactionId: id } })).count);
      count('webhook_delivery', (await tx.webhookDelivery.deleteMany({ where: { recordType: 'transaction', recordId: id } })).count);
      count('inbox_document', (await tx.inboxDocument.deleteMany({ where: { transactionId: id } })).count);
      count('transaction_attachment', (await tx.transactionAttachment.deleteMany({ where: { transactionId: id } })).count);
      count('transaction', (await tx.transaction.deleteMany({ where: { id } })).count);
      break;
    case 'onboarding-application':
      person((await tx.onboardingApplication.findUnique({ where: { id }, select: { applicantSub: true } }))?.applicantSub);
      about('task', await tx.task.findMany({ where: { applicationId: id }, select: { id: true } }));
      count('task', (await tx.task.deleteMany({ where: { applicationId: id } })).count);
      count('open_application', (await tx.openApplication.deleteMany({ where: { applicationId: id } })).count);
      count('onboarding_application', (await tx.onboardingApplication.deleteMany({ where: { id } })).count);
      break;
    case 'decision': {
      const d = await tx.decision.findUnique({ where: { id }, select: { recipientSub: true, consentId: true } });
      person(d?.recipientSub);
      count('postal_event', (await tx.postalEvent.deleteMany({ where: { decisionId: id } })).count);
      count('webhook_delivery', (await tx.webhookDelivery.deleteMany({ where: { decisionId: id } })).count);
      // The unit's task about its letter's tracking, if one was raised.
      about('task', await tx.task.findMany({ where: { decisionId: id }, select: { id: true } }));
      count('task', (await tx.task.deleteMany({ where: { decisionId: id } })).count);
      // The decision's PDF is a column of its row: gone with it.
      count('decision', (await tx.decision.deleteMany({ where: { id } })).count);
      // Its consent, if this was the last record that kept it.
      if (d?.consentId) await destroyConsentsNoLongerNeeded(tx, [d.consentId], out, count);
      break;
    }
    case 'contract': {
      const c = await tx.contract.findUnique({ where: { id }, select: { userId: true, entityId: true, user: { select: { sub: true } } } });
      person(c?.user?.sub);
      about('terms-acceptance', await tx.termsAcceptance.findMany({ where: { contractId: id }, select: { id: true } }));
      about('task', await tx.task.findMany({ where: { contractId: id }, select: { id: true } }));
      count('terms_acceptance', (await tx.termsAcceptance.deleteMany({ where: { contractId: id } })).count);
      count('contract_amendment', (await tx.contractAmendment.deleteMany({ where: { contractId: id } })).count);
      count('task', (await tx.task.deleteMany({ where: { contractId: id } })).count);
      count('contract', (await tx.contract.deleteMany({ where: { id } })).count);
      if (c?.entityId && (await tx.contract.count({ where: { entityId: c.entityId } })) === 0) {
        // An entity's register entry and the people who acted for it are its contract's evidence too.
        const entityId = c.entityId;
        about('entity-member', await tx.entityMember.findMany({ where: { entityId }, select: { id: true } }));
        out.about.push({ recordType: 'legal-entity', recordId: entityId });
        count('entity_member', (await tx.entityMember.deleteMany({ where: { entityId } })).count);
        count('entity_application', (await tx.entityApplication.deleteMany({ where: { entityId } })).count);
        count('legal_entity', (await tx.legalEntity.deleteMany({ where: { id: entityId } })).count);
      }
      if (c?.userId && c.user && (await tx.contract.count({ where: { userId: c.userId } })) === 0) {
        // The user register entry and the consents are the contract's evidence too (Art. 8, 16.1);
        // a consent that a kept decision went through the counter under stays with it (Art. 18.1 b).
        about('contact-change', await tx.contactChange.findMany({ where: { userId: c.userId }, select: { id: true } }));
        out.about.push({ recordType: 'registered-user', recordId: c.userId });
        count('contact_change', (await tx.contactChange.deleteMany({ where: { userId: c.userId } })).count);
        // The account's own access rights (NE 3.1): its code, its password's hash, its sign-in and transaction codes.
        count('credential', (await tx.credential.deleteMany({ where: { userId: c.userId } })).count);
        count('access_rights', (await tx.accessRights.deleteMany({ where: { userId: c.userId } })).count);
        count('transaction_code', (await tx.transactionCode.deleteMany({ where: { userSub: c.user.sub } })).count);
        count('registered_user', (await tx.registeredUser.deleteMany({ where: { id: c.userId } })).count);
        const consents = await tx.serviceConsent.findMany({ where: { userSub: c.user.sub }, select: { id: true } });
        await destroyConsentsNoLongerNeeded(
          tx,
          consents.map((x) => x.id),
          out,
          count,
        );
      }
      break;
    }
  }
  return out;
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
        const removal = await deleteRows(tx, r.recordKind, r.recordId);
        // The audit and outbox rows about what went lose the persons' identifiers; the counts say how many.
        const subjects = [...new Set(removal.subjects)];
        const scrubbed = { audit_log: await scrubAudit(tx, removal.about, subjects), mail_outbox: await scrubOutbox(tx, removal.about) };
        const rec = await tx.destructionRecord.create({
          data: {
            recordKind: r.recordKind,
            recordRef: ref,
            category: r.category,
            eventDay: r.eventDay,
            lastDay: r.lastDay,
            counts: { rows: removal.rows, scrubbed, ...(Object.keys(removal.kept).length > 0 ? { kept: removal.kept } : {}), dataKeys: 1 },
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
