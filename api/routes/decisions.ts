// Serving decisions (Art. 16-17): the citizen's consents, the unit's decisions, the
// recipient's opening, the postal service's tracking events, and the appeal the counter
// cannot take.
import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import { writeAudit } from '../../activities/audit';
import type { CantonCode } from '../../domain/profiles';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import { decisionServiceWorkflowId, NOT_IN_INBOX, openUpdate, postalEventSignal } from '../../workflows/decision-service/definitions';
import type { decisionService } from '../../workflows/decision-service/workflow';
import type { Principal } from '../auth';
import { ApiError, notFound } from '../errors';
import type { Api } from '../http';
import { contractGate } from './contracts';
import { runUpdate } from '../temporal-errors';

const code = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only');

const consentBody = z.object({ unitId: code, domain: code }).strict().openapi('ServiceConsentCreate');
const consentView = z.object({ id: z.string(), unitId: z.string(), domain: z.string(), grantedAt: z.string(), revokedAt: z.string().nullable() }).openapi('ServiceConsent');

export const MAX_DECISION_PDF_BYTES = 5 * 1024 * 1024;

const decisionBody = z
  .object({
    recipientSub: z.string().min(1).max(200).openapi({ description: "The recipient's e-ID subject (a registered user)" }),
    unitId: code,
    domain: code,
    reference: z.string().trim().min(1).max(100).openapi({ description: "The unit's reference; the same reference again is the same decision" }),
    title: z.string().trim().min(1).max(300),
    documentPdfBase64: z
      .string()
      .min(8)
      .max(Math.ceil((MAX_DECISION_PDF_BYTES * 4) / 3) + 4, `at most ${MAX_DECISION_PDF_BYTES / 1024 / 1024} MiB of PDF`)
      .refine((b) => Buffer.from(b, 'base64').subarray(0, 5).toString('latin1') === '%PDF-', 'not a PDF (base64 of a file starting with %PDF-)'),
    remedy: z.object({ kind: z.enum(['opposition', 'appeal']), days: z.number().int().min(1).max(365) }).strict(),
    provisionalMeasure: z.boolean().default(false).openapi({ description: 'A decision on suspensive effect or another provisional measure: the féries do not suspend its period (JU CPA Art. 44a al. 2)' }),
    legalRemediesText: z.string().trim().min(10).max(4000).openapi({ description: 'Where and how to file the opposition or appeal' }),
  })
  .strict()
  .openapi('DecisionCreate');

const decisionView = z
  .object({
    decisionId: z.string(),
    unitId: z.string(),
    domain: z.string(),
    reference: z.string(),
    title: z.string(),
    documentSha256: z.string(),
    remedy: z.object({ kind: z.string(), days: z.number(), provisionalMeasure: z.boolean() }),
    state: z.string(),
    channel: z.string().nullable(),
    communicatedAt: z.string().nullable(),
    windowLastDay: z.string().nullable(),
    openedAt: z.string().nullable(),
    lateOpenedAt: z.string().nullable(),
    trackingNumber: z.string().nullable(),
    postalEvents: z.array(z.object({ type: z.string(), occurredOn: z.string() })),
    rule: z.string().nullable().openapi({ description: 'What set the remedy period: opened in time, delivered by post, deemed delivery, …' }),
    triggerDay: z.string().nullable(),
    remedyPeriod: z.object({ start: z.string(), lastDay: z.string() }).nullable(),
  })
  .openapi('Decision');

const postalEventBody = z
  .object({
    eventId: z.string().min(1).max(200).openapi({ description: "The postal service's event id (an event sent twice is taken once)" }),
    trackingNumber: z.string().min(1).max(100),
    type: z.enum(['delivered', 'notice-left', 'returned-uncollected']),
    occurredOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD'),
  })
  .strict()
  .openapi('PostalEvent');

const idParams = z.object({ id: z.string().min(1).max(100) });

export interface DecisionRouteDeps {
  client: Client;
  db: Db;
  taskQueue: string;
  canton: CantonCode;
}

export function decisionRoutes(api: Api, deps: DecisionRouteDeps): Router {
  const router = Router();
  const { client, db } = deps;

  type DecisionRow = Prisma.DecisionGetPayload<{ include: { postalEvents: true } }>;
  const view = (d: DecisionRow) => ({
    decisionId: d.id,
    unitId: d.unitId,
    domain: d.domain,
    reference: d.reference,
    title: d.title,
    documentSha256: d.documentSha256,
    remedy: { kind: d.remedyKind, days: d.remedyDays, provisionalMeasure: d.provisionalMeasure },
    state: d.state,
    channel: d.channel === 'pending' ? null : d.channel,
    communicatedAt: d.communicatedAt?.toISOString() ?? null,
    windowLastDay: d.windowLastDay,
    openedAt: d.openedAt?.toISOString() ?? null,
    lateOpenedAt: d.lateOpenedAt?.toISOString() ?? null,
    trackingNumber: d.trackingNumber,
    postalEvents: d.postalEvents.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime()).map((e) => ({ type: e.type, occurredOn: e.occurredOn })),
    rule: d.serviceRule,
    triggerDay: d.triggerDay,
    remedyPeriod: d.remedyStart && d.remedyLastDay ? { start: d.remedyStart, lastDay: d.remedyLastDay } : null,
  });
  const contractAllows = contractGate(db, deps.canton);
  const load = (id: string) => db.decision.findUnique({ where: { id }, include: { postalEvents: true } });

  /** The unit that served it, its recipient, the Chancellery; anyone else: 404. */
  async function visible(principal: Principal, id: string) {
    const d = await load(id);
    const ok =
      !!d &&
      ((principal.role === 'unit' && principal.unitId === d.unitId) || (principal.role === 'citizen' && principal.sub === d.recipientSub) || principal.role === 'chancellery');
    if (!ok) throw notFound('decision');
    // A blocked contract reads nothing online: its decisions go by post (Art. 5.2, 10.3).
    if (principal.role === 'citizen') await contractAllows(principal.sub, 'decision.read');
    return d!;
  }

  // ---- consents (Art. 16.1)
  api.add(router, {
    method: 'post',
    path: '/v1/me/service-consents',
    tag: 'Decisions',
    summary: 'Authorise a unit to serve the decisions of a domain through the counter (Art. 16.1)',
    roles: ['citizen'],
    body: consentBody,
    responses: { 201: { description: 'Given', schema: consentView } },
    async handler({ req, body, principal }) {
      await contractAllows(principal.sub, 'service-consent.grant');
      const existing = await db.serviceConsent.findFirst({ where: { userSub: principal.sub, unitId: body.unitId, domain: body.domain, revokedAt: null } });
      const c =
        existing ??
        (await db.serviceConsent.create({
          data: { id: randomUUID(), userSub: principal.sub, unitId: body.unitId, domain: body.domain, grantedAt: new Date(), evidence: { grantedBy: principal.sub, role: principal.role, requestId: String(req.id) } },
        }));
      if (!existing) await writeAudit(db, { actorRole: principal.role, actorSub: principal.sub, action: 'consent.granted', recordType: 'service-consent', recordId: c.id, requestId: String(req.id) });
      return { status: existing ? 200 : 201, body: { id: c.id, unitId: c.unitId, domain: c.domain, grantedAt: c.grantedAt.toISOString(), revokedAt: null } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/me/service-consents',
    tag: 'Decisions',
    summary: 'My consents, revoked ones included',
    roles: ['citizen'],
    responses: { 200: { description: 'Consents', schema: z.object({ items: z.array(consentView) }) } },
    async handler({ principal }) {
      const rows = await db.serviceConsent.findMany({ where: { userSub: principal.sub }, orderBy: { grantedAt: 'desc' } });
      return { status: 200, body: { items: rows.map((c) => ({ id: c.id, unitId: c.unitId, domain: c.domain, grantedAt: c.grantedAt.toISOString(), revokedAt: c.revokedAt?.toISOString() ?? null })) } };
    },
  });

  api.add(router, {
    method: 'delete',
    path: '/v1/me/service-consents/:id',
    tag: 'Decisions',
    summary: 'Revoke a consent: later decisions of that unit and domain go by post',
    roles: ['citizen'],
    params: idParams,
    responses: { 204: { description: 'Revoked' } },
    async handler({ req, params: p, principal }) {
      const c = await db.serviceConsent.findUnique({ where: { id: p.id } });
      if (!c || c.userSub !== principal.sub) throw notFound('consent');
      if (!c.revokedAt) {
        await db.serviceConsent.update({ where: { id: c.id }, data: { revokedAt: new Date(), evidence: { ...(c.evidence as object), revokedBy: principal.sub, revokeRequestId: String(req.id) } } });
        await writeAudit(db, { actorRole: principal.role, actorSub: principal.sub, action: 'consent.revoked', recordType: 'service-consent', recordId: c.id, requestId: String(req.id) });
      }
      return { status: 204 };
    },
  });

  // ---- decisions
  api.add(router, {
    method: 'post',
    path: '/v1/decisions',
    tag: 'Decisions',
    summary: 'Serve a decision to a user: through the counter where authorised, else by post (Art. 16)',
    roles: ['unit'],
    body: decisionBody,
    responses: { 202: { description: 'Being served', schema: decisionView }, 200: { description: 'The same reference again: the decision already served', schema: decisionView } },
    async handler({ req, body, principal }) {
      if (body.unitId !== principal.unitId) throw new ApiError(403, 'forbidden', 'a unit serves its own decisions only');
      if (!principal.domains.includes(body.domain)) throw new ApiError(403, 'forbidden', `this unit may not serve decisions in the domain "${body.domain}"`);
      const same = await db.decision.findUnique({ where: { unitId_reference: { unitId: body.unitId, reference: body.reference } }, include: { postalEvents: true } });
      if (same) return { status: 200, body: view(same) };
      if (!(await db.registeredUser.findUnique({ where: { sub: body.recipientSub }, select: { id: true } }))) {
        throw new ApiError(422, 'unknown_recipient', 'the recipient is not a user of the counter', [{ path: 'recipientSub', issue: 'not in the user register' }]);
      }
      const pdf = Buffer.from(body.documentPdfBase64, 'base64');
      const decisionId = randomUUID();
      try {
        await db.decision.create({
          data: {
            id: decisionId,
            canton: deps.canton,
            unitId: body.unitId,
            domain: body.domain,
            reference: body.reference,
            recipientSub: body.recipientSub,
            title: body.title,
            document: pdf,
            documentSha256: createHash('sha256').update(pdf).digest('hex'),
            remedyKind: body.remedy.kind,
            remedyDays: body.remedy.days,
            provisionalMeasure: body.provisionalMeasure,
            legalRemediesText: body.legalRemediesText,
            channel: 'pending',
            state: 'checking-consent',
          },
        });
      } catch (err) {
        // The same reference raced us: one decision.
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
          const raced = await db.decision.findUniqueOrThrow({ where: { unitId_reference: { unitId: body.unitId, reference: body.reference } }, include: { postalEvents: true } });
          return { status: 200, body: view(raced) };
        }
        throw err;
      }
      try {
        await client.workflow.start<typeof decisionService>('decisionService', {
          taskQueue: deps.taskQueue,
          workflowId: decisionServiceWorkflowId(decisionId),
          args: [{ decisionId, canton: deps.canton, unitId: body.unitId, remedyDays: body.remedy.days, provisionalMeasure: body.provisionalMeasure }],
        });
      } catch (err) {
        await db.decision.delete({ where: { id: decisionId } }); // nothing half-written
        throw err;
      }
      await writeAudit(db, { actorRole: principal.role, actorSub: principal.sub, action: 'decision.submitted', recordType: 'decision', recordId: decisionId, requestId: String(req.id), workflowId: decisionServiceWorkflowId(decisionId) });
      return { status: 202, body: view((await load(decisionId))!), headers: { Location: `/v1/decisions/${decisionId}` } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/decisions/:id',
    tag: 'Decisions',
    summary: 'Service state, dates, postal events, and the remedy period with the rule that set it',
    roles: ['unit', 'citizen', 'chancellery'],
    params: idParams,
    responses: { 200: { description: 'The decision', schema: decisionView } },
    async handler({ params: p, principal }) {
      return { status: 200, body: view(await visible(principal, p.id)) };
    },
  });

  api.add(router, {
    method: 'post',
    path: '/v1/decisions/:id/open',
    tag: 'Decisions',
    summary: 'The recipient opens the decision: inside the window the service is valid (Art. 16.4); later it is recorded and changes nothing',
    roles: ['citizen'],
    params: idParams,
    responses: { 200: { description: 'Opened', schema: decisionView }, 409: { description: 'Not in the inbox (served by post only)' } },
    async handler({ req, params: p, principal }) {
      const d = await visible(principal, p.id);
      if (d.state === 'served' && d.communicatedAt) {
        // The process is over: a late opening is only recorded.
        if (!d.openedAt && !d.lateOpenedAt) await db.decision.update({ where: { id: d.id }, data: { lateOpenedAt: new Date() } });
      } else {
        await runUpdate(
          () => client.workflow.getHandle(decisionServiceWorkflowId(d.id)).executeUpdate(openUpdate),
          { [NOT_IN_INBOX]: 409 },
          () => new ApiError(409, 'conflict', 'this decision is no longer waiting'),
        );
      }
      await writeAudit(db, { actorRole: principal.role, actorSub: principal.sub, action: 'decision.opened', recordType: 'decision', recordId: d.id, requestId: String(req.id) });
      return { status: 200, body: view((await load(d.id))!) };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/decisions/:id/document',
    tag: 'Decisions',
    summary: 'The decision PDF (opening it counts only through POST …/open)',
    roles: ['unit', 'citizen', 'chancellery'],
    params: idParams,
    responses: { 200: { description: 'application/pdf' } },
    async handler({ params: p, principal }) {
      const d = await visible(principal, p.id);
      return { status: 200, file: { type: 'application/pdf', data: Buffer.from(d.document), filename: `decision-${d.reference.replace(/[^\w.-]/g, '_')}.pdf` } };
    },
  });

  api.add(router, {
    method: 'post',
    path: '/v1/decisions/:id/appeal',
    tag: 'Decisions',
    summary: 'Always refused: no objection or appeal can be filed through the counter (Art. 17)',
    roles: ['citizen'],
    params: idParams,
    responses: { 422: { description: 'Where and how to file instead' } },
    async handler({ params: p, principal }) {
      const d = await visible(principal, p.id);
      const what = d.remedyKind === 'opposition' ? "L'opposition" : 'Le recours';
      throw new ApiError(
        422,
        'not_through_the_counter',
        `${what} ne peut pas être déposé(e) par le guichet virtuel (art. 17 de l'ordonnance). ${d.legalRemediesText}`,
        [{ path: '(decision)', issue: `remedy: ${d.remedyKind}, ${d.remedyDays} days${d.remedyLastDay ? `, last day ${d.remedyLastDay}` : ''}` }],
      );
    },
  });

  // ---- postal tracking
  api.add(router, {
    method: 'post',
    path: '/v1/postal-events',
    tag: 'Decisions',
    summary: 'A tracking event of a registered letter, from the postal gateway',
    roles: ['postal'],
    body: postalEventBody,
    responses: { 202: { description: 'Taken (or already taken: same eventId)' } },
    async handler({ req, body, principal }) {
      const d = await db.decision.findUnique({ where: { trackingNumber: body.trackingNumber }, select: { id: true } });
      if (!d) throw notFound('letter');
      try {
        await db.postalEvent.create({ data: { id: body.eventId, decisionId: d.id, type: body.type, occurredOn: body.occurredOn } });
      } catch (err) {
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return { status: 202, body: { eventId: body.eventId, duplicate: true } };
        throw err;
      }
      await client.workflow.getHandle(decisionServiceWorkflowId(d.id)).signal(postalEventSignal, { type: body.type, occurredOn: body.occurredOn });
      await writeAudit(db, { actorRole: principal.role, actorSub: principal.sub, action: `postal.${body.type}`, recordType: 'decision', recordId: d.id, requestId: String(req.id) });
      return { status: 202, body: { eventId: body.eventId, duplicate: false } };
    },
  });

  return router;
}
