// Side effects of access to services (Art. 14) and of transactions (Art. 15). Idempotent: a
// retried activity writes, mails, seals and notifies once (stable ids for every row and mail).
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { localDay } from '../domain/days';
import { profiles, type CantonCode, type Lang } from '../domain/profiles';
import { voiceFor } from '../domain/words';
import type { Db } from '../infra/db';
import type { PaymentProvider } from '../infra/payments';
import { creditorReference, isQrIban, qrBillPdf, qrReference } from '../infra/qr-bill';
import { renderTextPdf } from '../infra/pdf';
import { sealPdf, type SealKey } from '../infra/seal';
import { SYSTEM_ACTOR, writeAudit } from '../records/audit';
import { sendOnce } from '../records/outbox';
import type { AccessRevocation } from '../workflows/access-request/types';
import { serviceNotice, type ServiceNoticeKind } from './mail-templates';
import type { Mailer, RetentionEngine } from './ports';
import { chf, qrBillTexts, receiptTexts, sealTexts } from './transaction-documents';
import { deliverUnitEvent } from './unit-events';
import type { AtRestKeys } from '../infra/secret-box';
import type { AddressPolicy } from '../infra/outbound';

export interface ServiceActivityDeps {
  db: Db;
  mailer: Mailer;
  retention: RetentionEngine;
  /** The canton's seal for issued documents (absent: documents go unsealed, and say so in the log). */
  seal?: SealKey;
  /** The payment provider, for refunds (absent: a refund is left to the unit, audited). */
  payments?: PaymentProvider;
  atRest?: AtRestKeys;
  webhookAddresses?: AddressPolicy;
}

/** The person or entity a record is for: where its mail goes, whom a QR-bill is addressed to. */
async function contactOf(db: Db, sub: string) {
  const person = await db.registeredUser.findUnique({ where: { sub } });
  if (person)
    return { email: person.email, name: `${person.firstName} ${person.lastName}`, street: person.street, postCode: person.postCode, locality: person.locality };
  const entity = await db.legalEntity.findUnique({ where: { sub } });
  if (entity) return { email: entity.email, name: entity.name, street: entity.street, postCode: entity.postCode, locality: entity.locality };
  throw ApplicationFailure.nonRetryable('the transaction is for nobody the counter knows', 'UnknownRecipient');
}

/** "Rue du Marché 12b" → street and building number, as a structured address wants them. */
export function splitStreet(line: string): { street: string; buildingNumber?: string } {
  const m = /^(.*\S)\s+(\d+\s?[a-zA-Z]?)$/.exec(line.trim());
  return m ? { street: m[1]!, buildingNumber: m[2]!.replace(/\s/g, '') } : { street: line.trim() };
}

const titleIn = (svc: { titleFr: string; titleDe: string }, lang: Lang) => (lang === 'de' ? svc.titleDe : svc.titleFr);

export function createServiceActivities({ db, mailer, retention, seal, payments, atRest, webhookAddresses }: ServiceActivityDeps) {
  const tx = (id: string) => db.transaction.findUniqueOrThrow({ where: { id } });
  /** The service, its unit and whom the transaction is for: what every notice names. */
  const partiesOf = (t: { serviceId: string; unitId: string; citizenSub: string }) =>
    Promise.all([
      db.service.findUniqueOrThrow({ where: { id: t.serviceId } }),
      db.unit.findUniqueOrThrow({ where: { id: t.unitId } }),
      contactOf(db, t.citizenSub),
    ]);

  async function notice(
    id: string,
    recordType: 'access-request' | 'transaction',
    to: string,
    kind: ServiceNoticeKind,
    voiceOf: { canton: string; ruleSetId?: string },
    fill: (lang: Lang) => Promise<Parameters<typeof serviceNotice>[0]>,
  ) {
    const voice = voiceFor(voiceOf.canton, voiceOf.ruleSetId);
    const sent = await sendOnce(db, mailer, {
      id: `${id}:${kind}`,
      template: `service-${kind}`,
      recordType,
      recordId: id,
      compose: async () => ({ to, ...serviceNotice(await fill(voice.lang ?? profiles[voiceOf.canton as CantonCode].words.defaultLanguage), voice) }),
    });
    if (sent === 'rejected') await writeAudit(db, { ...SYSTEM_ACTOR, action: `mail.rejected.service-${kind}`, recordType, recordId: id });
  }

  /** An inbox document, once under its id: a retry writes nothing twice. */
  async function putInInbox(d: { id: string; ownerSub: string; transactionId: string; kind: string; title: string; content: Uint8Array; sealed?: boolean }) {
    await db.inboxDocument.upsert({
      where: { id: d.id },
      create: {
        ...d,
        content: new Uint8Array(d.content),
        sealed: d.sealed ?? false,
        sha256: createHash('sha256').update(d.content).digest('hex'),
        createdAt: new Date(),
      },
      update: {},
    });
  }

  async function setStatus(id: string, status: string, action: string, extra: Record<string, unknown> = {}) {
    await db.$transaction([
      db.transaction.update({ where: { id }, data: { status, ...extra } }),
      db.auditLog.create({ data: { ...SYSTEM_ACTOR, action: `transaction.${action}`, recordType: 'transaction', recordId: id } }),
    ]);
  }

  return {
    /** Art. 14.2: the unit hears of a request at its webhook (ids and states only). */
    async notifyUnitOfAccessRequest({ requestId, type }: { requestId: string; type: 'access-request.filed' | 'access-request.revoked' }): Promise<void> {
      const r = await db.accessRequest.findUniqueOrThrow({ where: { id: requestId } });
      await deliverUnitEvent(
        db,
        {
          eventId: `${requestId}:${type}`,
          unitId: r.unitId,
          type,
          about: { recordType: 'access-request', recordId: requestId },
          payload: { accessRequest: { id: r.id, service: r.service, state: r.status, requestedAt: r.requestedAt.toISOString() } },
        },
        { atRest, webhookAddresses },
      );
    },

    /** The user is told the outcome of his request (Art. 14), with the reasons of a refusal or revocation. */
    async tellAccessOutcome({
      requestId,
      kind,
      ruleSetId,
    }: {
      requestId: string;
      kind: 'access-granted' | 'access-refused' | 'access-revoked';
      ruleSetId?: string;
    }): Promise<void> {
      const r = await db.accessRequest.findUniqueOrThrow({ where: { id: requestId } });
      const [svc, unit] = await Promise.all([db.service.findUnique({ where: { id: r.service } }), db.unit.findUnique({ where: { id: r.unitId } })]);
      await notice(requestId, 'access-request', r.email, kind, { canton: r.canton, ruleSetId }, async (lang) => ({
        kind,
        serviceTitle: svc ? titleIn(svc, lang) : r.service,
        unitName: unit?.name ?? r.unitId,
        reference: requestId,
        reasons: kind === 'access-revoked' ? r.revocationReasons : kind === 'access-refused' && r.reason ? r.reason.split('\n') : undefined,
      }));
    },

    /** Art. 14.3: the access revoked, with its reasons; a transaction can no longer be submitted under it. */
    async recordAccessRevocation(rev: AccessRevocation): Promise<void> {
      await db.$transaction(async (t) => {
        const r = await t.accessRequest.findUniqueOrThrow({ where: { id: rev.requestId } });
        if (r.status === 'revoked') return;
        await t.accessRequest.update({
          where: { id: rev.requestId },
          data: { status: 'revoked', revokedAt: new Date(rev.revokedAt), revokedBySub: rev.revokedBySub, revocationReasons: rev.reasons },
        });
        await t.auditLog.create({
          data: { actorRole: 'unit', actorSub: rev.revokedBySub, action: 'access-request.revoked', recordType: 'access-request', recordId: rev.requestId },
        });
      });
    },

    /** Art. 15.1: the receipt, with its number, in the inbox at once; the retention counted from the day. */
    async acknowledgeTransaction({ transactionId, ruleSetId }: { transactionId: string; ruleSetId?: string }): Promise<void> {
      const t = await tx(transactionId);
      const [svc, unit, files, to] = await Promise.all([
        db.service.findUniqueOrThrow({ where: { id: t.serviceId } }),
        db.unit.findUniqueOrThrow({ where: { id: t.unitId } }),
        db.transactionAttachment.findMany({ where: { transactionId }, orderBy: { addedAt: 'asc' }, select: { name: true, sha256: true } }),
        contactOf(db, t.citizenSub),
      ]);
      const voice = voiceFor(t.canton, ruleSetId);
      const tz = profiles[t.canton as CantonCode].timeZone;
      const time = new Intl.DateTimeFormat('fr-CH', { hour: '2-digit', minute: '2-digit', timeZone: tz }).format(t.submittedAt);
      const lang = voice.lang ?? profiles[t.canton as CantonCode].words.defaultLanguage;
      const texts = receiptTexts(
        {
          receiptNumber: t.receiptNumber,
          serviceTitle: titleIn(svc, lang),
          unitName: unit.name,
          submittedOn: localDay(t.submittedAt, tz),
          submittedAt: time,
          attachments: files,
          fee: t.feeCents ? chf(t.feeCents) : null,
        },
        voice,
      );
      if (!(await db.inboxDocument.findUnique({ where: { id: `${transactionId}:receipt` }, select: { id: true } })))
        await putInInbox({
          id: `${transactionId}:receipt`,
          ownerSub: t.citizenSub,
          transactionId,
          kind: 'receipt',
          title: texts.title,
          content: await renderTextPdf({ ...texts, at: t.submittedAt }),
        });
      await retention.schedule({
        recordKind: 'transaction',
        recordId: transactionId,
        category: 'other-transaction',
        eventDay: t.retentionEventDay,
        canton: t.canton as CantonCode,
      });
      await notice(transactionId, 'transaction', to.email, 'transaction-received', { canton: t.canton, ruleSetId }, async (l) => ({
        kind: 'transaction-received',
        serviceTitle: titleIn(svc, l),
        unitName: unit.name,
        reference: t.receiptNumber,
      }));
    },

    /** A fee first: a QR-bill in the inbox (structured addresses), the user told how and by when to pay. */
    async requestPayment({ transactionId, dueDay, ruleSetId }: { transactionId: string; dueDay: string; ruleSetId?: string }): Promise<void> {
      const t = await tx(transactionId);
      const [svc, unit, to] = await partiesOf(t);
      const voice = voiceFor(t.canton, ruleSetId);
      const lang = voice.lang ?? profiles[t.canton as CantonCode].words.defaultLanguage;
      const creditor = unit.creditor as {
        account: string;
        name: string;
        street: string;
        buildingNumber?: string;
        postalCode: string;
        town: string;
        country: string;
      } | null;
      if (!creditor) throw ApplicationFailure.nonRetryable(`the unit ${t.unitId} has no account for its fees`, 'NoCreditor');
      const seed = t.receiptNumber.replace(/\D/g, '');
      const reference = t.paymentReference ?? (isQrIban(creditor.account) ? qrReference(seed) : creditorReference(seed));
      if (!(await db.inboxDocument.findUnique({ where: { id: `${transactionId}:qr-bill` }, select: { id: true } }))) {
        const texts = qrBillTexts({ receiptNumber: t.receiptNumber, serviceTitle: titleIn(svc, lang), unitName: unit.name, dueDay }, voice);
        const pdf = await qrBillPdf({
          creditor,
          debtor: { name: to.name, ...splitStreet(to.street), postalCode: to.postCode, town: to.locality, country: 'CH' },
          amountCents: t.feeCents!,
          reference,
          message: texts.message,
          language: lang,
          heading: texts.heading,
        });
        await putInInbox({ id: `${transactionId}:qr-bill`, ownerSub: t.citizenSub, transactionId, kind: 'qr-bill', title: texts.heading.title, content: pdf });
      }
      // The bill is in the inbox before the record says a payment is awaited.
      await db.transaction.update({ where: { id: transactionId }, data: { paymentReference: reference, paymentState: 'pending', status: 'awaiting-payment' } });
      await notice(transactionId, 'transaction', to.email, 'payment-requested', { canton: t.canton, ruleSetId }, async (l) => ({
        kind: 'payment-requested',
        serviceTitle: titleIn(svc, l),
        unitName: unit.name,
        reference: t.receiptNumber,
        amount: chf(t.feeCents!),
        dueDay,
      }));
    },

    async recordPaymentReceived({ transactionId }: { transactionId: string }): Promise<void> {
      await setStatus(transactionId, 'awaiting-unit', 'paid', { paymentState: 'paid' });
    },

    /** The unit hears of a submission (and of each completion) at its webhook. */
    async notifyUnitOfTransaction({ transactionId, type }: { transactionId: string; type: 'transaction.submitted' | 'transaction.completed' }): Promise<void> {
      const t = await tx(transactionId);
      await setStatus(transactionId, 'awaiting-unit', `${type.split('.')[1]}-to-unit`);
      await deliverUnitEvent(
        db,
        {
          eventId: `${transactionId}:${type}:${t.completionDueAt?.getTime() ?? 0}`,
          unitId: t.unitId,
          type,
          about: { recordType: 'transaction', recordId: transactionId },
          payload: { transaction: { id: t.id, receiptNumber: t.receiptNumber, service: t.serviceId, submittedAt: t.submittedAt.toISOString() } },
        },
        { atRest, webhookAddresses },
      );
    },

    /** Art. 15.2: information missing, by a day; the user is told what. */
    async askForInformation(a: { transactionId: string; missing: string[]; dueDay: string; dueAt: string; ruleSetId?: string }): Promise<void> {
      const t = await tx(a.transactionId);
      await setStatus(a.transactionId, 'awaiting-information', 'information-asked', {
        missingInformation: a.missing.join('\n'),
        completionDueAt: new Date(a.dueAt),
      });
      const [svc, unit, to] = await partiesOf(t);
      await notice(
        `${a.transactionId}:${a.dueDay}`,
        'transaction',
        to.email,
        'information-missing',
        { canton: t.canton, ruleSetId: a.ruleSetId },
        async (l) => ({
          kind: 'information-missing',
          serviceTitle: titleIn(svc, l),
          unitName: unit.name,
          reference: t.receiptNumber,
          reasons: a.missing,
          dueDay: a.dueDay,
        }),
      );
    },

    /** Unpaid or incomplete by the day: the transaction lapses, and the user is told. */
    async lapseTransaction({
      transactionId,
      kind,
      dueDay,
      ruleSetId,
    }: {
      transactionId: string;
      kind: 'lapsed-unpaid' | 'lapsed-incomplete';
      dueDay: string;
      ruleSetId?: string;
    }): Promise<void> {
      const t = await tx(transactionId);
      await setStatus(transactionId, 'lapsed', kind, {
        outcome: 'lapsed',
        closedAt: new Date(),
        ...(kind === 'lapsed-unpaid' ? { paymentState: 'expired' } : {}),
      });
      const [svc, unit, to] = await partiesOf(t);
      await notice(transactionId, 'transaction', to.email, kind, { canton: t.canton, ruleSetId }, async (l) => ({
        kind,
        serviceTitle: titleIn(svc, l),
        unitName: unit.name,
        reference: t.receiptNumber,
        dueDay,
      }));
    },

    /** Accepted: the document the unit answered with goes into the inbox under the canton's seal. */
    async acceptTransaction({ transactionId, ruleSetId, by }: { transactionId: string; ruleSetId?: string; by: string }): Promise<void> {
      const t = await tx(transactionId);
      const [svc, unit, to] = await partiesOf(t);
      const voice = voiceFor(t.canton, ruleSetId);
      if (t.answerDocument && !(await db.inboxDocument.findUnique({ where: { id: `${transactionId}:answer` }, select: { id: true } }))) {
        if (!seal) throw ApplicationFailure.nonRetryable('no seal key is configured: an issued document cannot be sealed', 'NoSealKey');
        const sealed = await sealPdf(t.answerDocument, seal, sealTexts({ unitName: unit.name, receiptNumber: t.receiptNumber }, voice));
        await putInInbox({
          id: `${transactionId}:answer`,
          ownerSub: t.citizenSub,
          transactionId,
          kind: 'attestation',
          title: t.answerDocumentTitle ?? titleIn(svc, 'fr'),
          content: sealed,
          sealed: true,
        });
      }
      await db.$transaction([
        db.transaction.update({
          where: { id: transactionId },
          data: { status: 'accepted', outcome: 'accept', answeredBySub: by, answeredAt: new Date(), closedAt: new Date() },
        }),
        db.auditLog.create({ data: { actorRole: 'unit', actorSub: by, action: 'transaction.accepted', recordType: 'transaction', recordId: transactionId } }),
      ]);
      await notice(transactionId, 'transaction', to.email, 'transaction-accepted', { canton: t.canton, ruleSetId }, async (l) => ({
        kind: 'transaction-accepted',
        serviceTitle: titleIn(svc, l),
        unitName: unit.name,
        reference: t.receiptNumber,
        document: t.answerDocument !== null,
      }));
    },

    /** Art. 15.2: refused with reasons, which the user is told (and how to ask for a formal decision). */
    async refuseTransaction(r: { transactionId: string; reasons: string[]; by: string; ruleSetId?: string }): Promise<void> {
      const t = await tx(r.transactionId);
      await db.$transaction([
        db.transaction.update({
          where: { id: r.transactionId },
          data: { status: 'refused', outcome: 'refuse', reasons: r.reasons, answeredBySub: r.by, answeredAt: new Date(), closedAt: new Date() },
        }),
        db.auditLog.create({
          data: { actorRole: 'unit', actorSub: r.by, action: 'transaction.refused', recordType: 'transaction', recordId: r.transactionId },
        }),
      ]);
      const [svc, unit, to] = await partiesOf(t);
      await notice(r.transactionId, 'transaction', to.email, 'transaction-refused', { canton: t.canton, ruleSetId: r.ruleSetId }, async (l) => ({
        kind: 'transaction-refused',
        serviceTitle: titleIn(svc, l),
        unitName: unit.name,
        reference: t.receiptNumber,
        reasons: r.reasons,
      }));
    },

    /** A fee paid online for a refused transaction goes back through the provider. */
    async refundTransactionFee({ transactionId }: { transactionId: string }): Promise<void> {
      const t = await tx(transactionId);
      if (t.paymentState === 'refunded') return;
      if (t.providerTransactionId && payments)
        await payments.refund({
          transactionId: t.providerTransactionId,
          amountCents: t.feeCents!,
          refno: t.receiptNumber.replace(/[^A-Za-z0-9]/g, '').slice(0, 20),
        });
      else {
        await writeAudit(db, { ...SYSTEM_ACTOR, action: 'transaction.refund-left-to-unit', recordType: 'transaction', recordId: transactionId });
        return;
      }
      await setStatus(transactionId, 'refused', 'refunded', { paymentState: 'refunded' });
    },
  };
}
