// Serving decisions (Art. 16-17): the citizen's consents, the unit's decisions, the
// recipient's opening, the postal service's tracking events, and the appeal the counter
// cannot take.
import { createHash, randomUUID } from 'node:crypto';
import { localDay, startOfLocalDay } from '../domain/days';
import { profiles, type CantonCode } from '../domain/profiles';
import { citeShort, inParens, voiceFor, voiceOf } from '../domain/words';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/db';
import { writeAccessLog, writeAccessLogOnce } from '../records/access-log';
import { writeAudit } from '../records/audit';
import { recordLateOpening } from '../records/decisions';
import { enclosablePages, UnusablePdfError } from '../infra/pdf';
import { isUniqueViolation } from '../records/unique';
import { decisionServiceWorkflowId } from '../workflows/decision-service/definitions';
import type { PostalEventIn } from '../workflows/decision-service/types';
import { actorOf, readerOf, type Caller } from './caller';
import type { ContractGate } from './contract-gate';
import { AppError, invalidField, notFound } from './errors';
import type { DecisionServiceGateway } from './gateways/decision-service';
import { WorkflowGoneError } from './gateways/temporal';
import { requireAccess, requireToServe } from './policy';
import type { ProxyUseCases } from './proxies';
import type { GivenTransactionCode, TransactionCodeUseCases } from './transaction-codes';

export interface DecisionCreate {
  recipientSub: string;
  unitId: string;
  domain: string;
  reference: string;
  title: string;
  documentPdfBase64: string;
  remedy: { kind: 'opposition' | 'appeal'; days: number };
  provisionalMeasure: boolean;
  legalRemediesText: string;
  /** Art. 16.2: the counter where consented ('auto'), the counter ('counter': the consent is required), or post. */
  channel?: 'auto' | 'counter' | 'post';
}

type DecisionRow = Prisma.DecisionGetPayload<{ include: { postalEvents: true } }>;

const STAFF_READ_PURPOSE = 'the decision served by this unit, or the Chancellery supervising its service';
const isStaff = (caller: Caller) => caller.principal.role === 'unit' || caller.principal.role === 'chancellery';

export const decisionView = (d: DecisionRow) => ({
  decisionId: d.id,
  unitId: d.unitId,
  domain: d.domain,
  reference: d.reference,
  title: d.title,
  documentSha256: d.documentSha256,
  remedy: { kind: d.remedyKind, days: d.remedyDays, provisionalMeasure: d.provisionalMeasure },
  state: d.state,
  channel: d.channel === 'pending' ? null : d.channel,
  channelChoice: d.channelChoice,
  postalReason: d.postalReason,
  letterPages: d.letterPages,
  communicatedAt: d.communicatedAt?.toISOString() ?? null,
  windowLastDay: d.windowLastDay,
  openedAt: d.openedAt?.toISOString() ?? null,
  lateOpenedAt: d.lateOpenedAt?.toISOString() ?? null,
  trackingNumber: d.trackingNumber,
  postalEvents: [...d.postalEvents].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime()).map((e) => ({ type: e.type, occurredOn: e.occurredOn })),
  rule: d.serviceRule,
  triggerDay: d.triggerDay,
  remedyPeriod: d.remedyStart && d.remedyLastDay ? { start: d.remedyStart, lastDay: d.remedyLastDay } : null,
});
export type DecisionView = ReturnType<typeof decisionView>;

const consentView = (c: { id: string; unitId: string; domain: string; grantedAt: Date; revokedAt: Date | null }) => ({
  id: c.id,
  unitId: c.unitId,
  domain: c.domain,
  grantedAt: c.grantedAt.toISOString(),
  revokedAt: c.revokedAt?.toISOString() ?? null,
});

export interface DecisionDeps {
  db: Db;
  decisions: DecisionServiceGateway;
  contractAllows: ContractGate;
  /** A representative reads the person's decisions by a proxy that says so (Art. 9, 16.4). */
  proxies?: Pick<ProxyUseCases, 'requireProxy'>;
  canton: CantonCode;
  /** NE 4.5: a consent for a sensitive domain needs a single-use transaction code (absent: tests of other rules). */
  transactionCodes?: Pick<TransactionCodeUseCases, 'require'>;
  now?: () => Date;
}

export function decisionUseCases({ db, decisions, contractAllows, proxies, canton, transactionCodes, now = () => new Date() }: DecisionDeps) {
  const load = (id: string) => db.decision.findUnique({ where: { id }, include: { postalEvents: true } });

  /** The unit that served it, its recipient, the Chancellery; a blocked recipient reads nothing online. */
  async function visible(caller: Caller, id: string, action: 'read' | 'act-as-person' = 'read'): Promise<DecisionRow> {
    const d = await load(id);
    // Someone else's decision: only by a proxy that covers her decisions, checked now.
    const representative = !!d && caller.principal.role === 'citizen' && caller.principal.sub !== d.recipientSub && !!proxies;
    if (representative) {
      try {
        await proxies!.requireProxy(caller, d.recipientSub, { decisions: true });
      } catch {
        throw notFound('decision'); // not his, and nothing learnt about it
      }
    }
    requireAccess(caller.principal, action, d && { type: 'decision', unitId: d.unitId, recipientSub: d.recipientSub, representative }, 'decision');
    // A blocked contract reads nothing online: its decisions go by post (Art. 5.2, 10.3).
    if (caller.principal.role === 'citizen') await contractAllows(d!.recipientSub, 'decision.read');
    return d!;
  }

  /** The recipient's first access to the content: the workflow judges it while it runs; afterwards it is only recorded. */
  async function takeCognizance(caller: Caller, d: DecisionRow, action: string): Promise<void> {
    if (d.state === 'served' && d.communicatedAt) await recordLateOpening(db, d.id, now(), actorOf(caller));
    else await decisions.open(d.id);
    await writeAudit(db, {
      ...actorOf(caller),
      onBehalfOf: caller.principal.sub !== d.recipientSub ? d.recipientSub : undefined,
      action,
      recordType: 'decision',
      recordId: d.id,
    });
  }

  return {
    // ---- consents (Art. 16.1)
    async grantConsent(caller: Caller, input: { unitId: string; domain: string }, code: GivenTransactionCode | null = null) {
      const { principal } = caller;
      await contractAllows(principal.sub, 'service-consent.grant');
      const existing = await db.serviceConsent.findFirst({ where: { userSub: principal.sub, unitId: input.unitId, domain: input.domain, revokedAt: null } });
      if (existing) return { consent: consentView(existing), created: false };
      const id = randomUUID();
      // NE 4.5: a consent for a very sensitive domain needs a single-use code.
      await transactionCodes?.require(caller, { action: 'service-consent.grant', service: input.domain }, code, `service-consent:${id}`);
      const c = await db.serviceConsent.create({
        data: {
          id,
          userSub: principal.sub,
          unitId: input.unitId,
          domain: input.domain,
          grantedAt: now(),
          evidence: { grantedBy: principal.sub, role: principal.role, requestId: caller.requestId },
        },
      });
      await writeAudit(db, { ...actorOf(caller), action: 'consent.granted', recordType: 'service-consent', recordId: c.id });
      return { consent: consentView(c), created: true };
    },

    async listConsents(caller: Caller) {
      const rows = await db.serviceConsent.findMany({ where: { userSub: caller.principal.sub }, orderBy: { grantedAt: 'desc' } });
      return rows.map(consentView);
    },

    /** Later decisions of that unit and domain go by post. Revoking twice changes nothing. */
    async revokeConsent(caller: Caller, consentId: string): Promise<void> {
      const c = await db.serviceConsent.findUnique({ where: { id: consentId } });
      requireAccess(caller.principal, 'act-as-person', c && { type: 'own', ownerSub: c.userSub }, 'consent');
      if (c!.revokedAt) return;
      await db.serviceConsent.update({
        where: { id: c!.id },
        data: { revokedAt: now(), evidence: { ...(c!.evidence as object), revokedBy: caller.principal.sub, revokeRequestId: caller.requestId } },
      });
      await writeAudit(db, { ...actorOf(caller), action: 'consent.revoked', recordType: 'service-consent', recordId: c!.id });
    },

    // ---- decisions
    /** Art. 16: through the counter where authorised, else by post. The same reference again is the same decision. */
    async serve(caller: Caller, input: DecisionCreate): Promise<{ decision: DecisionView; created: boolean }> {
      requireToServe(caller.principal, input.unitId, input.domain);
      const byReference = () =>
        db.decision.findUnique({ where: { unitId_reference: { unitId: input.unitId, reference: input.reference } }, include: { postalEvents: true } });
      const same = await byReference();
      if (same) return { decision: decisionView(same), created: false };
      if (!(await db.registeredUser.findUnique({ where: { sub: input.recipientSub }, select: { id: true } }))) {
        throw new AppError(422, 'unknown_recipient', 'the recipient is not a user of the counter', [
          { path: 'recipientSub', issue: 'not in the user register' },
        ]);
      }
      const channelChoice = input.channel ?? 'auto';
      // Art. 16.1-16.2: the counter is the unit's to choose only where the recipient consented.
      if (
        channelChoice === 'counter' &&
        !(await db.serviceConsent.findFirst({
          where: { userSub: input.recipientSub, unitId: input.unitId, domain: input.domain, revokedAt: null },
          select: { id: true },
        }))
      ) {
        throw new AppError(422, 'no_consent', 'the recipient has not authorised this unit to serve decisions of this domain through the counter (Art. 16.1)', [
          { path: 'channel', issue: 'the counter needs the recipient\'s consent; "auto" or "post" serve by post' },
        ]);
      }
      const pdf = Buffer.from(input.documentPdfBase64, 'base64');
      try {
        await enclosablePages(pdf);
      } catch (err) {
        // Found now, not at the post office: a registered letter must carry the decision's pages.
        if (err instanceof UnusablePdfError) throw new AppError(422, 'unusable_pdf', err.message, [{ path: 'documentPdfBase64', issue: err.message }]);
        throw err;
      }
      const decisionId = randomUUID();
      try {
        await db.decision.create({
          data: {
            id: decisionId,
            canton,
            unitId: input.unitId,
            domain: input.domain,
            reference: input.reference,
            recipientSub: input.recipientSub,
            title: input.title,
            document: pdf,
            documentSha256: createHash('sha256').update(pdf).digest('hex'),
            remedyKind: input.remedy.kind,
            remedyDays: input.remedy.days,
            provisionalMeasure: input.provisionalMeasure,
            legalRemediesText: input.legalRemediesText,
            channelChoice,
            channel: 'pending',
            state: 'checking-consent',
          },
        });
      } catch (err) {
        // The same reference raced us: one decision.
        if (isUniqueViolation(err)) return { decision: decisionView((await byReference())!), created: false };
        throw err;
      }
      try {
        await decisions.start({ decisionId, canton, unitId: input.unitId, remedyDays: input.remedy.days, provisionalMeasure: input.provisionalMeasure });
      } catch (err) {
        await db.decision.delete({ where: { id: decisionId } }); // nothing half-written
        throw err;
      }
      await writeAudit(db, {
        ...actorOf(caller),
        action: 'decision.submitted',
        recordType: 'decision',
        recordId: decisionId,
        workflowId: decisionServiceWorkflowId(decisionId),
      });
      return { decision: decisionView((await load(decisionId))!), created: true };
    },

    async get(caller: Caller, decisionId: string): Promise<DecisionView> {
      const d = await visible(caller, decisionId);
      // Staff reading a person's decision (whether and when she opened it, its letter's
      // tracking): in her access log, once per reader and day, however often a screen polls.
      if (isStaff(caller)) {
        const timeZone = profiles[d.canton as CantonCode].timeZone;
        await writeAccessLogOnce(
          db,
          { ...readerOf(caller), action: 'read.decision', recordType: 'decision', recordId: d.id, purpose: STAFF_READ_PURPOSE },
          startOfLocalDay(localDay(now(), timeZone), timeZone),
        );
      }
      return decisionView(d);
    },

    /**
     * The PDF. Art. 16.4: the recipient's first retrieval of it is the taking of cognizance,
     * exactly as `open` (recorded once; inside the window the service is then valid).
     */
    async document(caller: Caller, decisionId: string): Promise<{ pdf: Buffer; reference: string }> {
      const d = await visible(caller, decisionId);
      // The recipient's, or his representative's (Art. 16.4 applies to him).
      if (caller.principal.role === 'citizen' && d.communicatedAt && !d.openedAt && !d.lateOpenedAt) {
        try {
          await takeCognizance(caller, d, 'decision.document-retrieved');
        } catch (err) {
          // A process that takes no more events still hands the recipient his decision.
          if (!(err instanceof AppError && err.status === 409)) throw err;
        }
      }
      // Staff reading a person's decision: the person sees it in his access log.
      if (isStaff(caller)) {
        await writeAccessLog(db, {
          ...readerOf(caller),
          action: 'read.decision-document',
          recordType: 'decision',
          recordId: d.id,
          purpose: STAFF_READ_PURPOSE,
        });
      }
      return { pdf: Buffer.from(d.document), reference: d.reference };
    },

    /** Art. 16.4: inside the window the service is valid; later (Art. 16.5) it is recorded once and changes nothing. */
    async open(caller: Caller, decisionId: string): Promise<DecisionView> {
      const d = await visible(caller, decisionId, 'act-as-person');
      await takeCognizance(caller, d, 'decision.opened');
      return decisionView((await load(d.id))!);
    },

    /** Art. 17: always refused, with where and how to file instead. */
    async appeal(caller: Caller, decisionId: string): Promise<never> {
      const d = await visible(caller, decisionId, 'act-as-person');
      // In the words of the decision's canton (its counter, its article if it has one).
      const { words: w } = voiceOf(voiceFor(d.canton));
      const what = d.remedyKind === 'opposition' ? "L'opposition" : 'Le recours';
      throw new AppError(
        422,
        'not_through_the_counter',
        `${what} ne peut pas être déposé(e) par le ${w.counter.fr}${inParens(citeShort(w, 'noRemedyThroughCounter', 'fr'))}. ${d.legalRemediesText}`,
        [{ path: '(decision)', issue: `remedy: ${d.remedyKind}, ${d.remedyDays} days${d.remedyLastDay ? `, last day ${d.remedyLastDay}` : ''}` }],
      );
    },

    /**
     * A tracking event of a registered letter. The workflow hears of it before it is stored
     * as taken: a failed signal leaves nothing stored, so the gateway's retry delivers it (the
     * workflow takes an event id once). Once the service is over, the event is only recorded.
     */
    async postalEvent(
      caller: Caller,
      e: { eventId: string; trackingNumber: string; type: PostalEventIn['type']; occurredOn: string },
    ): Promise<{ eventId: string; duplicate: boolean }> {
      const d = await db.decision.findUnique({ where: { trackingNumber: e.trackingNumber }, select: { id: true, canton: true, letterSentOn: true } });
      if (!d) throw notFound('letter');
      // A fact about this letter: not before it was posted, not after today (the canton's calendar).
      const today = localDay(now(), profiles[d.canton as CantonCode].timeZone);
      if (e.occurredOn > today) throw invalidField('occurredOn', `after today (${today})`, 'this event cannot have happened yet');
      if (d.letterSentOn && e.occurredOn < d.letterSentOn)
        throw invalidField('occurredOn', `before the letter was posted (${d.letterSentOn})`, 'this event cannot be of this letter');
      if (await db.postalEvent.findUnique({ where: { id: e.eventId }, select: { id: true } })) return { eventId: e.eventId, duplicate: true };
      let after = '';
      try {
        await decisions.postalEvent(d.id, { type: e.type, occurredOn: e.occurredOn, eventId: e.eventId });
      } catch (err) {
        if (!(err instanceof WorkflowGoneError)) throw err;
        after = '.after-service';
      }
      try {
        await db.postalEvent.create({ data: { id: e.eventId, decisionId: d.id, type: e.type, occurredOn: e.occurredOn } });
      } catch (err) {
        if (isUniqueViolation(err)) return { eventId: e.eventId, duplicate: true }; // the same event, twice at once
        throw err;
      }
      await writeAudit(db, { ...actorOf(caller), action: `postal.${e.type}${after}`, recordType: 'decision', recordId: d.id });
      return { eventId: e.eventId, duplicate: false };
    },
  };
}

export type DecisionUseCases = ReturnType<typeof decisionUseCases>;
