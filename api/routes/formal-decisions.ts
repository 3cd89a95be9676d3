// Formal decisions on request (CPA; Art. 4.8, 5.3, 10.2, 14.4): after a block kept, a
// revocation or a termination of the contract, or a refused access to a service, the person
// asks; the competent authority decides in its task inbox. (After a refused application:
// POST /v1/onboarding/applications/{id}/formal-decision-request.) Each route: parse → use
// case (app/formal-decisions.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { FORMAL_DECISION_GROUNDS } from '../../workflows/formal-decision/definitions';
import type { Api } from '../http';

export const formalDecisionRequestSchema = z
  .object({
    requestId: z.string(),
    ground: z.enum(FORMAL_DECISION_GROUNDS),
    authority: z.string().openapi({ description: "'CHA' (the Chancellery) or the unit that decides (Art. 14.4)" }),
    status: z.enum(['requested', 'decided']),
    taskId: z.string(),
    requestedAt: z.string(),
    outcome: z.enum(['approve', 'refuse']).optional(),
    decisionId: z.string().optional().openapi({ description: 'The formal decision, served like any decision: GET /v1/decisions/{id}' }),
  })
  .openapi('FormalDecisionRequest');

const nothing = { description: '`NothingToContest`: nothing was refused, ended or restricted that a formal decision could decide' };

export function formalDecisionRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const fd = application.formalDecisions;

  api.add(router, {
    method: 'post',
    path: '/v1/me/contract/formal-decision-request',
    tag: 'Formal decisions',
    summary: 'Ask for a formal decision on a block kept after a terms refusal, a revocation (Art. 5.3) or a termination for abuse (Art. 10.2) of my contract',
    roles: ['citizen'],
    responses: {
      202: { description: 'Requested (or the request already made for this act): the Chancellery decides', schema: formalDecisionRequestSchema },
      409: nothing,
    },
    handler: async ({ caller }) => ({ status: 202, body: await fd.onMyContract(caller) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/access-requests/:id/formal-decision-request',
    tag: 'Formal decisions',
    summary: 'Ask for a formal decision on a refused access to a service (Art. 14.4): the unit decides',
    roles: ['citizen', 'counsellor'],
    params: z.object({ id: z.uuid('not a request id') }),
    responses: {
      202: { description: 'Requested (or the request already made): a task for the unit', schema: formalDecisionRequestSchema },
      409: { description: `${nothing.description}; \`UnitNotRegistered\`: the unit is not a record of the counter` },
    },
    handler: async ({ params: p, caller }) => ({ status: 202, body: await fd.afterAccessRefusal(caller, p.id) }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/formal-decision-requests/:id',
    tag: 'Formal decisions',
    summary: 'Where a request for a formal decision stands, and the decision once issued',
    roles: ['citizen', 'chancellery', 'unit'],
    params: z.object({ id: z.uuid('not a request id') }),
    responses: { 200: { description: 'The request', schema: formalDecisionRequestSchema } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await fd.get(caller, p.id) }),
  });

  return router;
}
