// Legal holds (Art. 18.1 b): while litigation is pending, a decision's records are kept past
// their retention. The Chancellery or the unit that served the decision places and lifts
// them; the decision's retention process waits while any is active.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import { createTemporalRetentionEngine } from '../../activities/retention-engine';
import { writeAudit } from '../../activities/audit';
import type { Db } from '../../infra/db';
import type { Principal } from '../auth';
import { ApiError, notFound } from '../errors';
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

type HoldRow = { id: string; recordId: string; reason: string; placedBy: string; placedAt: Date; liftedBy: string | null; liftedAt: Date | null };
const view = (h: HoldRow) => ({ holdId: h.id, decisionId: h.recordId, reason: h.reason, placedBy: h.placedBy, placedAt: h.placedAt.toISOString(), liftedBy: h.liftedBy, liftedAt: h.liftedAt?.toISOString() ?? null });

export function legalHoldRoutes(api: Api, deps: { client: Client; db: Db; taskQueue: string }): Router {
  const router = Router();
  const { db } = deps;
  const retention = createTemporalRetentionEngine(deps.client, deps.taskQueue);

  /** The Chancellery, or the unit that served the decision; anyone else: 404. */
  async function decisionFor(principal: Principal, decisionId: string) {
    const d = await db.decision.findUnique({ where: { id: decisionId }, select: { id: true, unitId: true } });
    if (!d || (principal.role === 'unit' && principal.unitId !== d.unitId)) throw notFound('decision');
    return d;
  }

  api.add(router, {
    method: 'post',
    path: '/v1/legal-holds',
    tag: 'Retention',
    summary: "Hold a decision's records past their retention while litigation is pending (Art. 18.1 b)",
    roles: ['chancellery', 'unit'],
    body: placeBody,
    responses: { 201: { description: 'Placed', schema: holdView } },
    async handler({ req, body, principal }) {
      await decisionFor(principal, body.decisionId);
      const hold = await db.legalHold.create({ data: { id: randomUUID(), recordKind: 'decision', recordId: body.decisionId, reason: body.reason, placedBy: principal.sub, placedRole: principal.role } });
      await writeAudit(db, { actorRole: principal.role, actorSub: principal.sub, action: 'legal-hold.placed', recordType: 'decision', recordId: body.decisionId, requestId: String(req.id) });
      await retention.holdsChanged('decision', body.decisionId);
      return { status: 201, body: view(hold) };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/legal-holds',
    tag: 'Retention',
    summary: "A decision's legal holds, lifted ones included",
    roles: ['chancellery', 'unit'],
    query: z.object({ decisionId: z.string().min(1).max(60) }).strict(),
    responses: { 200: { description: 'Holds', schema: z.object({ items: z.array(holdView) }) } },
    async handler({ query, principal }) {
      await decisionFor(principal, query.decisionId);
      const rows = await db.legalHold.findMany({ where: { recordKind: 'decision', recordId: query.decisionId }, orderBy: { placedAt: 'asc' } });
      return { status: 200, body: { items: rows.map(view) } };
    },
  });

  api.add(router, {
    method: 'delete',
    path: '/v1/legal-holds/:id',
    tag: 'Retention',
    summary: 'Lift a legal hold: once none is active, the records are destroyed if their retention is over',
    roles: ['chancellery', 'unit'],
    params: z.object({ id: z.uuid('not a hold id') }),
    responses: { 200: { description: 'Lifted (or lifted already)', schema: holdView } },
    async handler({ req, params: p, principal }) {
      const hold = await db.legalHold.findUnique({ where: { id: p.id } });
      if (!hold) throw notFound('legal hold');
      await decisionFor(principal, hold.recordId);
      if (hold.liftedAt) return { status: 200, body: view(hold) };
      const { count } = await db.legalHold.updateMany({ where: { id: p.id, liftedAt: null }, data: { liftedAt: new Date(), liftedBy: principal.sub } });
      if (count === 0) throw new ApiError(409, 'conflict', 'lifted meanwhile by someone else');
      await writeAudit(db, { actorRole: principal.role, actorSub: principal.sub, action: 'legal-hold.lifted', recordType: 'decision', recordId: hold.recordId, requestId: String(req.id) });
      await retention.holdsChanged('decision', hold.recordId);
      return { status: 200, body: view((await db.legalHold.findUniqueOrThrow({ where: { id: p.id } }))!) };
    },
  });

  return router;
}
