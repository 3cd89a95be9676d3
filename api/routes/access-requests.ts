// Access to a service that is not free (Art. 14 al. 2): the citizen asks, the unit decides.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import { writeAudit } from '../../activities/audit';
import { isValidAvsNumber } from '../../domain/avs';
import type { CantonCode } from '../../domain/profiles';
import type { Db } from '../../infra/db';
import type { accessRequest } from '../../workflows/access-request/workflow';
import {
  accessRequestWorkflowId,
  ALREADY_DECIDED,
  decideUpdate,
  REASON_REQUIRED,
  statusQuery,
} from '../../workflows/access-request/definitions';
import type { AccessRequestInput, AccessRequestStatus } from '../../workflows/access-request/types';
import type { Principal } from '../auth';
import { ApiError, notFound } from '../errors';
import type { Api } from '../http';
import { recordAccessRequestRow } from '../../activities';
import { personalData } from '../../workflows/personal-data';
import { contractGate } from './contracts';
import { runUpdate } from '../temporal-errors';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only');

const createBody = z
  .object({
    unitId: id.openapi({ example: 'SPOP' }),
    service: id.openapi({ example: 'building-permits' }),
    avsNumber: z.string().refine(isValidAvsNumber, 'not a valid AVS number (756.XXXX.XXXX.XC with its check digit)').openapi({ example: '756.1234.5678.97' }),
    email: z.email('not a valid e-mail address'),
    note: z.string().max(2000).optional(),
    /** a counsellor files for a citizen: that citizen's subject */
    onBehalfOf: z.string().min(1).max(200).optional().openapi({ description: 'counsellor only: the citizen it acts for' }),
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
    state: z.enum(['recording', 'awaiting-unit', 'granted', 'refused']),
    canton: z.string(),
    unitId: z.string(),
    service: z.string(),
    requestedAt: z.string(),
    remindersSent: z.number(),
    nextReminderDueAt: z.string().optional(),
    decision: z.object({ outcome: z.enum(['grant', 'refuse']), reason: z.string().optional(), decidedAt: z.string() }).optional(),
  })
  .openapi('AccessRequestStatus');

const params = z.object({ id: z.uuid('not a request id') });
const idempotencyHeaders = z.object({ 'idempotency-key': z.string().min(8).max(200).optional() });

export interface AccessRequestDeps {
  client: Client;
  db: Db;
  taskQueue: string;
  canton: CantonCode;
}

/** The same caller with the same Idempotency-Key always lands on the same request id. */
function requestIdFor(principal: Principal, key: string | undefined): string {
  if (!key) return randomUUID();
  const h = createHash('sha256').update(`${principal.role}:${principal.sub}:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function accessRequestRoutes(api: Api, deps: AccessRequestDeps): Router {
  const router = Router();
  const { client, db } = deps;
  const contractAllows = contractGate(db, deps.canton);

  /** Who may see a request: its citizen or their counsellor, its unit, the Chancellery. */
  async function visibleTo(principal: Principal, requestId: string) {
    const row = await db.accessRequest.findUnique({ where: { id: requestId }, select: { citizenSub: true, filedBySub: true, unitId: true } });
    if (!row) return false;
    switch (principal.role) {
      case 'chancellery':
        return true;
      case 'unit':
        return row.unitId === principal.unitId;
      case 'citizen':
        return row.citizenSub === principal.sub;
      case 'counsellor':
        return row.filedBySub === principal.sub;
      default:
        return false;
    }
  }

  api.add(router, {
    method: 'post',
    path: '/v1/access-requests',
    tag: 'Access requests',
    summary: 'Ask a unit for access to one of its services (Art. 14 al. 2)',
    roles: ['citizen', 'counsellor'],
    body: createBody,
    headers: idempotencyHeaders,
    responses: { 202: { description: 'Accepted: the unit will decide', schema: statusSchema } },
    async handler({ req, body, principal }) {
      const citizenSub = principal.role === 'counsellor' ? body.onBehalfOf : principal.sub;
      if (!citizenSub) throw new ApiError(400, 'validation_failed', 'a counsellor acts on behalf of a citizen', [{ path: 'onBehalfOf', issue: 'required for a counsellor' }]);
      if (principal.role === 'citizen' && body.onBehalfOf) {
        throw new ApiError(400, 'validation_failed', 'a citizen files for themself', [{ path: 'onBehalfOf', issue: 'only a counsellor may act on behalf of someone' }]);
      }
      // Art. 5.2, 7.2, 10: a restricted, blocked or ended contract files nothing new.
      await contractAllows(citizenSub, 'access-request.create');
      const key = req.header('idempotency-key');
      const requestId = requestIdFor(principal, key);
      const workflowId = accessRequestWorkflowId(requestId);
      try {
        const input: AccessRequestInput = {
              requestId,
              canton: deps.canton,
              unitId: body.unitId,
              service: body.service,
              citizenSub,
              filedBySub: principal.sub,
              filedByRole: principal.role as 'citizen' | 'counsellor',
              applicant: personalData('access-request', requestId, { avsNumber: body.avsNumber, email: body.email }),
              note: body.note,
              requestedAt: new Date().toISOString(),
            };
        // In the database before the workflow starts: the request is readable at once.
        await recordAccessRequestRow(db, input, workflowId);
        await client.workflow.start<typeof accessRequest>('accessRequest', { taskQueue: deps.taskQueue, workflowId, args: [input] });
        await writeAudit(db, {
          actorRole: principal.role,
          actorSub: principal.sub,
          onBehalfOf: principal.role === 'counsellor' ? citizenSub : undefined,
          action: 'access-request.filed',
          recordType: 'access-request',
          recordId: requestId,
          requestId: String(req.id),
          workflowId,
        });
      } catch (err) {
        // A retry with the same Idempotency-Key: answer with the request already there.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      const status = await client.workflow.getHandle(workflowId).query(statusQuery);
      return { status: 202, body: status, headers: { Location: `/v1/access-requests/${requestId}` } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/access-requests/:id',
    tag: 'Access requests',
    summary: 'State of an access request (answered by its workflow)',
    roles: ['citizen', 'counsellor', 'unit', 'chancellery'],
    params,
    responses: { 200: { description: 'The request', schema: statusSchema } },
    async handler({ params: p, principal }) {
      if (!(await visibleTo(principal, p.id))) throw notFound('access request');
      try {
        const status: AccessRequestStatus = await client.workflow.getHandle(accessRequestWorkflowId(p.id)).query(statusQuery);
        return { status: 200, body: status };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw notFound('access request');
        throw err;
      }
    },
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
      409: { description: 'Already decided' },
    },
    async handler({ req, params: p, body, principal }) {
      if (!(await visibleTo(principal, p.id))) throw notFound('access request');
      const workflowId = accessRequestWorkflowId(p.id);
      // Once decided, the workflow ends: a later decision finds it closed.
      const status = await runUpdate(
        () =>
          client.workflow.getHandle(workflowId).executeUpdate(decideUpdate, {
            args: [{ outcome: body.outcome, reason: body.reason, decidedBySub: principal.sub, decidedAt: new Date().toISOString() }],
          }),
        { [ALREADY_DECIDED]: 409, [REASON_REQUIRED]: 400 },
        () => new ApiError(409, 'conflict', 'this request has already been decided'),
      );
      await writeAudit(db, {
        actorRole: principal.role,
        actorSub: principal.sub,
        action: `access-request.decided.${body.outcome}`,
        recordType: 'access-request',
        recordId: p.id,
        requestId: String(req.id),
        workflowId,
      });
      return { status: 200, body: status };
    },
  });

  return router;
}
