// Legal holds (Art. 18.1 b): while litigation is pending, a decision's records are kept past
// their retention. Each route: parse → use case (app/retention.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import type { Api } from '../http';

const holdView = z
  .object({
    holdId: z.string(),
    decisionId: z.string(),
    reason: z.string(),
    placedBy: z.string(),
    placedAt: z.string(),
    liftedBy: z.string().nullable(),
    liftedAt: z.string().nullable(),
  })
  .openapi('LegalHold');

const placeBody = z
  .object({
    decisionId: z.uuid('not a decision id').or(z.string().regex(/^fd-[0-9a-f-]{36}$/, 'not a decision id')),
    reason: z.string().trim().min(1, 'required: the proceedings, e.g. "recours 2027/123 devant la Cour administrative"').max(1000),
  })
  .strict();

export function legalHoldRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const retention = application.retention;

  api.add(router, {
    method: 'post',
    path: '/v1/legal-holds',
    tag: 'Retention',
    summary: "Hold a decision's records past their retention while litigation is pending (Art. 18.1 b)",
    roles: ['chancellery', 'unit'],
    body: placeBody,
    responses: { 201: { description: 'Placed', schema: holdView } },
    handler: async ({ body, caller }) => ({ status: 201, body: await retention.placeHold(caller, body) }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/legal-holds',
    tag: 'Retention',
    summary: "A decision's legal holds, lifted ones included",
    roles: ['chancellery', 'unit'],
    query: z.object({ decisionId: z.string().min(1).max(60) }).strict(),
    responses: { 200: { description: 'Holds', schema: z.object({ items: z.array(holdView) }) } },
    handler: async ({ query, caller }) => ({ status: 200, body: { items: await retention.listHolds(caller, query.decisionId) } }),
  });

  api.add(router, {
    method: 'delete',
    path: '/v1/legal-holds/:id',
    tag: 'Retention',
    summary:
      'Lift a legal hold: once none is active, the records are destroyed if their retention is over. A hold the Chancellery placed, only the Chancellery lifts (403)',
    roles: ['chancellery', 'unit'],
    params: z.object({ id: z.uuid('not a hold id') }),
    responses: { 200: { description: 'Lifted (or lifted already)', schema: holdView }, 409: { description: 'Lifted meanwhile by someone else' } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await retention.liftHold(caller, p.id) }),
  });

  return router;
}
