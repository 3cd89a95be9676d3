// Serving decisions (Art. 16-17): the citizen's consents, the unit's decisions, the
// recipient's opening, the postal service's tracking events, and the appeal the counter
// cannot take. Each route: parse → use case (app/decisions.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { decisionServiceRejections } from '../../app/gateways/decision-service';
import { base64BodyLimit, type Api } from '../http';
import { rejections } from '../openapi';
import { givenTransactionCode, TRANSACTION_CODE_REFUSALS, transactionCodeHeaders } from './transaction-codes';
import { isoDay } from '../schemas';

const code = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only');

const consentBody = z.object({ unitId: code, domain: code }).strict().openapi('ServiceConsentCreate');
const consentView = z
  .object({ id: z.string(), unitId: z.string(), domain: z.string(), grantedAt: z.string(), revokedAt: z.string().nullable() })
  .openapi('ServiceConsent');

const MAX_DECISION_PDF_BYTES = 5 * 1024 * 1024;

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
    provisionalMeasure: z
      .boolean()
      .default(false)
      .openapi({ description: 'A decision on suspensive effect or another provisional measure: the féries do not suspend its period (JU CPA Art. 44a al. 2)' }),
    legalRemediesText: z.string().trim().min(10).max(4000).openapi({ description: 'Where and how to file the opposition or appeal' }),
    channel: z.enum(['auto', 'counter', 'post']).default('auto').openapi({
      description:
        "Art. 16.2: 'auto' = the counter where the recipient consented for this unit and domain, else post; 'counter' = the counter (422 without the consent); 'post' = the ordinary forms",
    }),
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
    channelChoice: z.enum(['auto', 'counter', 'post']).openapi({ description: "The unit's choice (Art. 16.2)" }),
    postalReason: z
      .enum(['no-consent', 'contract-blocked', 'unit-choice', 'not-a-user', 'alert-undeliverable'])
      .nullable()
      .openapi({ description: 'Why it went by post at once (a first service), as its letter says' }),
    letterPages: z.number().nullable().openapi({ description: "The registered letter's pages: the cover letter, then the decision's own" }),
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
    occurredOn: isoDay.openapi({ description: 'A real calendar day, not before the letter was posted and not after today (Europe/Zurich)' }),
  })
  .strict()
  .openapi('PostalEvent');

const idParams = z.object({ id: z.string().min(1).max(100) });

export function decisionRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const decisions = application.decisions;

  // ---- consents (Art. 16.1)
  api.add(router, {
    method: 'post',
    path: '/v1/me/service-consents',
    tag: 'Decisions',
    summary: 'Authorise a unit to serve the decisions of a domain through the counter (Art. 16.1)',
    roles: ['citizen'],
    body: consentBody,
    headers: z.object(transactionCodeHeaders),
    responses: {
      201: { description: 'Given', schema: consentView },
      200: { description: 'Given already', schema: consentView },
      403: { description: `The contract does not allow it now (\`contract_restricted\`); ${TRANSACTION_CODE_REFUSALS}` },
    },
    async handler({ req, body, caller }) {
      const { consent, created } = await decisions.grantConsent(caller, body, givenTransactionCode(req));
      return { status: created ? 201 : 200, body: consent };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/me/service-consents',
    tag: 'Decisions',
    summary: 'My consents, revoked ones included',
    roles: ['citizen'],
    responses: { 200: { description: 'Consents', schema: z.object({ items: z.array(consentView) }) } },
    handler: async ({ caller }) => ({ status: 200, body: { items: await decisions.listConsents(caller) } }),
  });

  api.add(router, {
    method: 'delete',
    path: '/v1/me/service-consents/:id',
    tag: 'Decisions',
    summary: 'Revoke a consent: later decisions of that unit and domain go by post',
    roles: ['citizen'],
    params: idParams,
    responses: { 204: { description: 'Revoked' } },
    async handler({ params: p, caller }) {
      await decisions.revokeConsent(caller, p.id);
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
    maxBody: base64BodyLimit(MAX_DECISION_PDF_BYTES),
    responses: {
      202: { description: 'Being served', schema: decisionView },
      200: { description: 'The same reference again: the decision already served', schema: decisionView },
    },
    async handler({ body, caller }) {
      const { decision, created } = await decisions.serve(caller, body);
      return created ? { status: 202, body: decision, headers: { Location: `/v1/decisions/${decision.decisionId}` } } : { status: 200, body: decision };
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
    handler: async ({ params: p, caller }) => ({ status: 200, body: await decisions.get(caller, p.id) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/decisions/:id/open',
    tag: 'Decisions',
    summary: 'The recipient opens the decision: inside the window the service is valid (Art. 16.4); later it is recorded and changes nothing',
    roles: ['citizen'],
    params: idParams,
    responses: {
      200: { description: 'Opened', schema: decisionView },
      409: { description: rejections(decisionServiceRejections, 409, 'Not in the inbox (served by post only)') },
    },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await decisions.open(caller, p.id) }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/decisions/:id/document',
    tag: 'Decisions',
    summary: 'The decision PDF (opening it counts only through POST …/open)',
    roles: ['unit', 'citizen', 'chancellery'],
    params: idParams,
    responses: { 200: { description: 'application/pdf' } },
    async handler({ params: p, caller }) {
      const { pdf, reference } = await decisions.document(caller, p.id);
      return { status: 200, file: { type: 'application/pdf', data: pdf, filename: `decision-${reference.replace(/[^\w.-]/g, '_')}.pdf` } };
    },
  });

  api.add(router, {
    method: 'post',
    path: '/v1/decisions/:id/appeal',
    tag: 'Decisions',
    summary: 'Always refused: no objection or appeal can be filed through the counter (Art. 17)',
    roles: ['citizen'],
    params: idParams,
    responses: { 422: { description: 'Where and how to file instead (`not_through_the_counter`)' } },
    handler: async ({ params: p, caller }) => decisions.appeal(caller, p.id),
  });

  // ---- postal tracking
  api.add(router, {
    method: 'post',
    path: '/v1/postal-events',
    tag: 'Decisions',
    summary: 'A tracking event of a registered letter, from the postal gateway; a retry after a failure delivers it, a repeat is taken once',
    roles: ['postal'],
    body: postalEventBody,
    responses: { 202: { description: 'Taken (or already taken: same eventId)' } },
    handler: async ({ body, caller }) => ({ status: 202, body: await decisions.postalEvent(caller, body) }),
  });

  return router;
}
