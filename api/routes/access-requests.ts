// Access to a service that is not free (Art. 14 al. 2): the citizen asks, the unit decides.
// Each route: parse → use case (app/access-requests.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { accessRequestRejections } from '../../app/gateways/access-request';
import { isValidAvsNumber } from '../../domain/avs';
import { isValidUid } from '../../domain/uid';
import type { Api } from '../http';
import { rejections } from '../openapi';
import { givenTransactionCode, TRANSACTION_CODE_REFUSALS, transactionCodeHeaders } from './transaction-codes';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only');

const createBody = z
  .object({
    unitId: id.optional().openapi({ example: 'SPOP', description: "The owning unit: optional (the catalogue knows it); when given, the service's own" }),
    service: id.openapi({ example: 'building-permits' }),
    avsNumber: z
      .string()
      .refine(isValidAvsNumber, 'not a valid AVS number (756.XXXX.XXXX.XC with its check digit)')
      .optional()
      .openapi({ example: '756.1234.5678.97', description: 'The person’s AVS number: required for a person' }),
    uid: z
      .string()
      .refine(isValidUid, 'not a valid UID (CHE-123.456.789 with its check digit)')
      .optional()
      .openapi({ example: 'CHE-116.281.710', description: 'The entity’s UID: required when filing for a legal entity (Art. 12)' }),
    email: z.email('not a valid e-mail address'),
    note: z.string().max(2000).optional(),
    /** a counsellor files for a citizen: that citizen's subject */
    onBehalfOf: z.string().min(1).max(200).optional().openapi({
      description:
        'The person acted for: required for a counsellor (in her assisted session), or a representative with her proxy for this service (Art. 9); or the legal entity (`entity:…`) its signatory or authorised employee acts for (Art. 12)',
    }),
  })
  .strict()
  .openapi('AccessRequestCreate');

const decisionBody = z
  .object({
    outcome: z.enum(['grant', 'refuse']),
    reason: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .refine((b) => b.outcome === 'grant' || !!b.reason, { path: ['reason'], message: 'a refusal needs a reason' })
  .openapi('AccessDecision');

const statusSchema = z
  .object({
    requestId: z.string(),
    state: z.enum(['recording', 'awaiting-unit', 'granted', 'refused', 'revoked']),
    canton: z.string(),
    unitId: z.string(),
    service: z.string(),
    requestedAt: z.string(),
    remindersSent: z.number(),
    nextReminderDueAt: z.string().optional(),
    decision: z.object({ outcome: z.enum(['grant', 'refuse']), reason: z.string().optional(), decidedAt: z.string() }).optional(),
    revocation: z.object({ reasons: z.array(z.string()), revokedAt: z.string() }).optional(),
    taskId: z.string().optional().openapi({ description: "The unit's task in its inbox (claim it, then complete it with grant or refuse)" }),
  })
  .openapi('AccessRequestStatus');

const params = z.object({ id: z.uuid('not a request id') });
const idempotencyHeaders = z.object({ 'idempotency-key': z.string().min(8).max(200).optional() });
const createHeaders = idempotencyHeaders.extend(transactionCodeHeaders);

export function accessRequestRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const requests = application.accessRequests;

  api.add(router, {
    method: 'post',
    path: '/v1/access-requests',
    tag: 'Access requests',
    summary: 'Ask a unit for access to one of its services (Art. 14 al. 2)',
    roles: ['citizen', 'counsellor'],
    body: createBody,
    headers: createHeaders,
    responses: {
      202: { description: 'Accepted: the unit will decide', schema: statusSchema },
      403: {
        description:
          'The contract does not allow it now (`contract_restricted`); a counsellor without an open assisted session (`no_assisted_session`); a representative without an active proxy for this service (`no_proxy`, with the reason: revoked, expired, not accepted, not covering it); ' +
          TRANSACTION_CODE_REFUSALS,
      },
      409: { description: 'A free service needs no request (`free_service`, Art. 14 al. 1)' },
      422: {
        description:
          'No such unit (`unknown_unit`) or service (`unknown_service`) on this counter, or not that unit’s service (`wrong_unit`); details that are not the person’s own (`unprocessable`)',
      },
    },
    async handler({ req, body, caller }) {
      const status = await requests.file(caller, body, req.header('idempotency-key') ?? null, givenTransactionCode(req));
      return { status: 202, body: status, headers: { Location: `/v1/access-requests/${status.requestId}` } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/access-requests/:id',
    tag: 'Access requests',
    summary: 'State of an access request (answered by its workflow, or by its record once the workflow is gone)',
    roles: ['citizen', 'counsellor', 'unit', 'chancellery'],
    params,
    responses: { 200: { description: 'The request', schema: statusSchema } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await requests.get(caller, p.id) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/access-requests/:id/decision',
    tag: 'Access requests',
    summary: "The unit's decision: grant, or refuse with a reason",
    roles: ['unit'],
    params,
    body: decisionBody,
    responses: {
      200: { description: 'Decided', schema: statusSchema },
      409: { description: rejections(accessRequestRejections, 409, 'Already decided (`conflict` once its process has ended)') },
    },
    handler: async ({ params: p, body, caller }) => ({ status: 200, body: await requests.decide(caller, p.id, body) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/access-requests/:id/revocation',
    tag: 'Access requests',
    summary: 'Art. 14.3: the owning unit revokes a granted access for abuse or breach of the rules, with its reasons (the user is told them)',
    roles: ['unit'],
    params,
    body: z
      .object({
        reasons: z.array(z.string().trim().min(1, 'a reason cannot be empty').max(1000)).min(1, 'a revocation needs its reasons (Art. 14 al. 3)').max(20),
      })
      .strict()
      .openapi('AccessRevocation'),
    headers: idempotencyHeaders,
    responses: {
      202: { description: 'Revoked: the user is being told; he may ask for a formal decision (Art. 14 al. 4)', schema: statusSchema },
      409: { description: 'Not a granted access (`not_granted`)' },
    },
    handler: async ({ params: p, body, caller }) => ({ status: 202, body: await requests.revoke(caller, p.id, body.reasons) }),
  });

  return router;
}
