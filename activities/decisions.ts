// Side effects of serving a decision. Idempotent: a retried activity writes, mails, posts
// and notifies once.
import { voiceFor } from './formal-decision';
import { createHash } from 'node:crypto';
import { deliverUnitEvent } from './unit-events';
import { ApplicationFailure } from '@temporalio/common';
import { localDay } from '../domain/days';
import { profiles, type CantonCode } from '../domain/profiles';
import { accessDenial, type ContractStatus } from '../domain/contract';
import type { Db } from '../infra/db';
import { SYSTEM_ACTOR, writeAudit } from '../records/audit';
import { Context } from '@temporalio/activity';
import { recordLateOpening } from '../records/decisions';
import { sendOnce } from '../records/outbox';
import { enclosablePages, encloseAfter, UnusablePdfError } from '../infra/pdf';
import { renderRegisteredLetter, type FirstServiceReason, type LetterService } from './letter-pdf';
import { decisionAvailable } from './mail-templates';
import type { PostalGateway } from './postal';
import type { AtRestKeys } from '../infra/secret-box';
import type { AddressPolicy } from '../infra/outbound';
import type { Mailer, RetentionEngine } from './ports';

export interface DecisionDeps {
  db: Db;
  mailer: Mailer;
  postal: PostalGateway;
  retention: RetentionEngine;
  atRest?: AtRestKeys;
  webhookAddresses?: AddressPolicy;
}

const SYSTEM = SYSTEM_ACTOR;

export { signWebhook } from './unit-events';

export function createDecisionActivities({ db, mailer, postal, retention, atRest, webhookAddresses }: DecisionDeps) {
  const decision = (id: string) => db.decision.findUniqueOrThrow({ where: { id } });
  /** A user, or — for the formal decision after a refused application — that applicant. */
  const recipientOf = async (sub: string) => {
    const user = await db.registeredUser.findUnique({ where: { sub } });
    if (user) return user;
    const applicant = await db.onboardingApplication.findFirst({ where: { applicantSub: sub }, orderBy: { submittedAt: 'desc' } });
    if (!applicant) throw ApplicationFailure.nonRetryable('the recipient is neither a user nor an applicant', 'UnknownRecipient');
    return applicant;
  };

  return {
    /**
     * Art. 16.1: an active consent of the recipient for this unit and domain — and a contract
     * that may read decisions online: a blocked or ended one gets them by post (Art. 5.2, 10).
     */
    async checkServiceConsent({ decisionId }: { decisionId: string }): Promise<{ consent: boolean; reason?: FirstServiceReason }> {
      const d = await decision(decisionId);
      const isUser = (await db.registeredUser.count({ where: { sub: d.recipientSub } })) > 0;
      const contract = await db.contract.findFirst({
        where: { user: { sub: d.recipientSub } },
        orderBy: { createdAt: 'desc' },
        select: { status: true, statusReason: true, canton: true },
      });
      const readsOnline =
        !contract ||
        accessDenial({ status: contract.status as ContractStatus, reason: contract.statusReason }, 'decision.read', profiles[contract.canton as CantonCode]) ===
          null;
      const consent =
        readsOnline && d.channelChoice !== 'post'
          ? await db.serviceConsent.findFirst({
              where: { userSub: d.recipientSub, unitId: d.unitId, domain: d.domain, revokedAt: null },
              orderBy: { grantedAt: 'desc' },
            })
          : null;
      // Why it goes by post at once, for the letter to say (Art. 16.1-16.2).
      const reason: FirstServiceReason | undefined = consent
        ? undefined
        : d.channelChoice === 'post'
          ? 'unit-choice'
          : !isUser
            ? 'not-a-user'
            : !readsOnline
              ? 'contract-blocked'
              : 'no-consent';
      await db.decision.update({ where: { id: decisionId }, data: { consentId: consent?.id ?? null, postalReason: reason ?? null } });
      return { consent: consent !== null, reason };
    },

    /**
     * Art. 16.3: the decision is in the inbox, and the recipient is alerted by e-mail. An alert
     * the relay refuses for good takes it out again: it then goes by post, as a first service.
     */
    async depositInInbox({
      decisionId,
      communicatedAt,
      windowLastDay,
      ruleSetId,
    }: {
      decisionId: string;
      communicatedAt: string;
      windowLastDay: string;
      /** The decision process's rule set: the alert's words (absent: the canton's newest). */
      ruleSetId?: string;
    }): Promise<{ alerted: boolean }> {
      const d = await db.decision.update({
        where: { id: decisionId },
        data: { channel: 'electronic', state: 'awaiting-opening', communicatedAt: new Date(communicatedAt), windowLastDay },
      });
      const outcome = await sendOnce(db, mailer, {
        id: `${decisionId}:alert`,
        template: 'decision-available',
        recordType: 'decision',
        recordId: decisionId,
        async compose() {
          const user = await recipientOf(d.recipientSub);
          const unit = await db.unit.findUnique({ where: { id: d.unitId } });
          return {
            to: user.email,
            ...decisionAvailable(
              { firstName: user.firstName, lastName: user.lastName, unitName: unit?.name ?? d.unitId, title: d.title, windowLastDay },
              voiceFor(d.canton, ruleSetId),
            ),
          };
        },
      });
      if (outcome === 'rejected') {
        await db.decision.update({
          where: { id: decisionId },
          data: { channel: 'pending', state: 'checking-consent', communicatedAt: null, windowLastDay: null, postalReason: 'alert-undeliverable' },
        });
        await writeAudit(db, { ...SYSTEM, action: 'mail.rejected.decision-available', recordType: 'decision', recordId: decisionId });
        return { alerted: false };
      }
      if (outcome === 'sent') await writeAudit(db, { ...SYSTEM, action: 'decision.communicated', recordType: 'decision', recordId: decisionId });
      return { alerted: true };
    },

    async recordOpening({ decisionId, openedAt }: { decisionId: string; openedAt: string }): Promise<void> {
      await db.decision.update({ where: { id: decisionId }, data: { openedAt: new Date(openedAt) } });
      await writeAudit(db, { ...SYSTEM, action: 'decision.opened-in-time', recordType: 'decision', recordId: decisionId });
    },

    async recordLateOpening({ decisionId, at }: { decisionId: string; at: string }): Promise<void> {
      await recordLateOpening(db, decisionId, new Date(at), { ...SYSTEM, workflowId: Context.current().info.workflowExecution?.workflowId });
    },

    /**
     * A registered letter: a first service by post, or the second one after an unopened
     * window (Art. 16.5). One PDF, the cover letter then the decision's own pages; posted to
     * the gateway (a real PDF), once: the letter id is the decision id.
     */
    async sendRegisteredLetter({
      decisionId,
      sentOn,
      windowLastDay,
      ruleSetId,
    }: {
      decisionId: string;
      sentOn: string;
      windowLastDay?: string;
      /** The decision process's rule set: the letter's words (absent: the canton's newest). */
      ruleSetId?: string;
    }): Promise<{ trackingNumber: string }> {
      const d = await decision(decisionId);
      if (d.trackingNumber) return { trackingNumber: d.trackingNumber };
      const user = await recipientOf(d.recipientSub);
      const unit = await db.unit.findUnique({ where: { id: d.unitId } });
      const tz = profiles[d.canton as CantonCode].timeZone;
      // In the counter first (channel electronic): the second service. Else a first one, saying why.
      const service: LetterService =
        d.channel === 'electronic' && d.communicatedAt
          ? { kind: 'second', communicatedOn: localDay(d.communicatedAt, tz), windowLastDay: windowLastDay ?? d.windowLastDay ?? sentOn }
          : { kind: 'first', reason: (d.postalReason as FirstServiceReason | null) ?? 'no-consent' };
      const decisionPdf = Buffer.from(d.document);
      let decisionPages: number;
      try {
        decisionPages = await enclosablePages(decisionPdf);
      } catch (err) {
        // Refused when served (422); a decision stored before that check cannot be printed either.
        if (err instanceof UnusablePdfError) throw ApplicationFailure.nonRetryable(`decision ${decisionId}: ${err.message}`, 'UnusableDecisionPdf');
        throw err;
      }
      const recipient = { name: `${user.firstName} ${user.lastName}`, street: user.street, postCode: user.postCode, locality: user.locality };
      const cover = await renderRegisteredLetter({
        unit: { name: unit?.name ?? d.unitId, address: unit?.address ?? [] },
        recipient,
        reference: d.reference,
        title: d.title,
        decisionSha256: d.documentSha256,
        decisionPdf,
        decisionPages,
        service,
        remedy: { kind: d.remedyKind as 'opposition' | 'appeal', days: d.remedyDays, text: d.legalRemediesText },
        sentOn,
        voice: voiceFor(d.canton, ruleSetId),
      });
      const { pdf, pages } = await encloseAfter(
        cover,
        { pdf: decisionPdf, fileName: `decision-${d.reference.replace(/[^\w.-]/g, '_')}.pdf`, description: `${d.title} (SHA-256 ${d.documentSha256})` },
        new Date(`${sentOn}T00:00:00Z`),
      );
      const { trackingNumber } = await postal.sendRegistered({ letterId: decisionId, recipient, pdf });
      await db.decision.update({
        where: { id: decisionId },
        data: {
          channel: d.channel === 'electronic' ? 'electronic+postal' : 'postal',
          state: 'awaiting-postal-delivery',
          letterId: decisionId,
          trackingNumber,
          letterSha256: createHash('sha256').update(pdf).digest('hex'),
          letterSentOn: sentOn,
          letterPages: pages,
        },
      });
      await writeAudit(db, { ...SYSTEM, action: 'decision.sent-by-registered-post', recordType: 'decision', recordId: decisionId });
      return { trackingNumber };
    },

    async recordService(r: { decisionId: string; rule: string; triggerDay: string; remedyStart: string; remedyLastDay: string }): Promise<void> {
      await db.decision.update({
        where: { id: r.decisionId },
        data: { state: 'served', serviceRule: r.rule, triggerDay: r.triggerDay, remedyStart: r.remedyStart, remedyLastDay: r.remedyLastDay },
      });
      await writeAudit(db, { ...SYSTEM, action: 'decision.served', recordType: 'decision', recordId: r.decisionId });
      // Art. 18.1 b: its records are kept 2 years from the day the service became valid.
      const d = await decision(r.decisionId);
      await retention.schedule({
        recordKind: 'decision',
        recordId: r.decisionId,
        category: 'decision-service',
        eventDay: r.triggerDay,
        canton: d.canton as CantonCode,
      });
    },

    /**
     * Tells the unit, at its webhook, HMAC-signed, with an event id it can deduplicate on.
     * A failure is retried with backoff by Temporal; a delivered event is not sent again.
     */
    async notifyUnit({ decisionId, type }: { decisionId: string; type: 'decision.served' }): Promise<void> {
      const d = await decision(decisionId);
      await deliverUnitEvent(
        db,
        {
          eventId: `${decisionId}:${type}`,
          unitId: d.unitId,
          type,
          about: { decisionId },
          payload: {
            decision: {
              id: d.id,
              reference: d.reference,
              state: d.state,
              serviceRule: d.serviceRule,
              triggerDay: d.triggerDay,
              remedy: { start: d.remedyStart, lastDay: d.remedyLastDay },
            },
          },
        },
        { atRest, webhookAddresses },
      );
    },
  };
}
