// Case timelines for staff, and a person's representation on their case. Each route: parse →
// use case (app/cases.ts, app/representation.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import type { Api } from '../http';
import { text } from '../schemas';
import { proxyView } from './proxies';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const timelineSchema = z
  .object({
    caseType: z.enum(['onboarding-application', 'decision']),
    caseId: z.string(),
    canton: z.string(),
    range: z.object({ start: day, end: day }),
    events: z.array(z.object({ at: z.string(), day, kind: z.string(), detail: z.string().optional() })),
    periods: z.array(z.object({ kind: z.string(), start: day, end: day, rule: z.string().optional() })),
    deadlines: z.array(z.object({ kind: z.string(), due: z.string(), day, pending: z.boolean() })),
    feries: z.array(z.object({ start: day, end: day })).openapi({ description: 'Court holidays within the range (periods in days do not run)' }),
    holidays: z.array(day).openapi({ description: 'Public holidays of the canton within the range' }),
    history: z.array(z.object({ at: z.string(), action: z.string(), actorRole: z.string(), actorSub: z.string().nullable() })),
  })
  .openapi('CaseTimeline');

const representationSchema = z
  .object({
    proxies: z.array(proxyView).openapi({ description: 'The proxies the person gave and those given to them, newest first (Art. 9)' }),
    entities: z
      .array(
        z.object({
          uid: z.string(),
          name: z.string(),
          role: z.enum(['signatory', 'administrator', 'employee']),
          services: z.array(z.string()).openapi({ description: "An employee's services; signatories and the administrator act for every service" }),
          status: z.enum(['active', 'blocked']),
        }),
      )
      .openapi({ description: 'The legal entities the person acts for, and how (Art. 12)' }),
  })
  .openapi('Representation');

export function caseRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const cases = application.cases;

  api.add(router, {
    method: 'get',
    path: '/v1/onboarding/applications/:id/timeline',
    tag: 'Onboarding',
    summary: "An application's timeline for staff: submission, checks, tasks, reminders, escalation, decision; pending deadlines; the audit trail",
    roles: ['chancellery'],
    params: z.object({ id: z.uuid('not an application id') }),
    responses: { 200: { description: 'The timeline', schema: timelineSchema } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await cases.applicationTimeline(caller, p.id) }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/decisions/:id/timeline',
    tag: 'Decisions',
    summary: "A decision's service timeline: the electronic window, postal events, deemed delivery and the remedy period, with the féries",
    roles: ['chancellery', 'unit'],
    params: z.object({ id: z.string().min(1).max(100) }),
    responses: { 200: { description: 'The timeline', schema: timelineSchema } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await cases.decisionTimeline(caller, p.id) }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/people/:sub/representation',
    tag: 'Representation',
    summary:
      "A person's representation, for the Chancellery on their case: the proxies given and received, the legal entities the person acts for; each read is written to the access log",
    roles: ['chancellery'],
    params: z.object({ sub: text(200) }),
    responses: { 200: { description: 'The representation', schema: representationSchema } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await application.representation.of(caller, p.sub) }),
  });

  return router;
}
