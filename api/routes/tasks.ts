// The Chancellery's task inbox: list, read, claim, release, complete. The list is read from
// the database (it mirrors the workflows); every change goes to the workflow as an Update,
// whose validator is the single judge of "already done" and "not yours".
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import { writeAudit } from '../../activities/audit';
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import { claimTaskUpdate, completeTaskUpdate, releaseTaskUpdate, TaskRejections as Rejections } from '../../workflows/task/definitions';
import type { Principal } from '../auth';
import { ApiError, notFound } from '../errors';
import type { Api } from '../http';
import { personalData } from '../../workflows/personal-data';
import type { TaskFeed } from '../task-feed';
import { runUpdate } from '../temporal-errors';

const TASK_KINDS = ['review', 'authority-inquiry', 'formal-decision', 'terms-refusal'] as const;

const taskSchema = z
  .object({
    taskId: z.string(),
    kind: z.enum(TASK_KINDS),
    status: z.enum(['open', 'completed']),
    applicationId: z.string().nullable().openapi({ description: 'The application an onboarding task is about' }),
    contractId: z.string().nullable().openapi({ description: 'The contract a terms-refusal task is about' }),
    canton: z.string(),
    commune: z.string().nullable(),
    subject: z.string(),
    claimedBy: z.string().nullable(),
    dueAt: z.string(),
    overdue: z.boolean(),
    remindersSent: z.number(),
    escalated: z.boolean(),
    createdAt: z.string(),
    outcome: z.string().nullable(),
  })
  .openapi('Task');

/** The inbox's filters: the list's query, and what a saved view keeps. */
export const inboxFilters = z
  .object({
    status: z.enum(['open', 'completed']).default('open'),
    kind: z.enum(TASK_KINDS).optional(),
    claimedBy: z.string().min(1).max(200).optional().openapi({ description: '"me", "none", or a staff subject' }),
    overdue: z.enum(['true', 'false']).optional(),
    canton: z.enum(['JU', 'NE']).optional(),
    commune: z.string().trim().min(1).max(100).optional(),
    order: z.enum(['asc', 'desc']).default('asc').openapi({ description: 'by due date: soonest first (asc) or last (desc)' }),
  })
  .strict();

const listQuery = inboxFilters
  .extend({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(300).optional().openapi({ description: 'nextCursor of the previous page (of the same filters and order)' }),
  })
  .strict();

const lines = (empty: string, none: string) => z.array(z.string().trim().min(1, empty).max(1000)).min(1, none).max(20);
const completion = z
  .discriminatedUnion('outcome', [
    // onboarding review and formal decision
    z.object({ outcome: z.literal('approve'), justification: z.string().trim().min(1, 'an approval needs a justification (Art. 4.7)').max(4000) }).strict(),
    z.object({ outcome: z.literal('refuse'), reasons: lines('a reason cannot be empty', 'a refusal needs at least one reason (Art. 4.8)') }).strict(),
    // a refusal of the terms of use (Art. 5.3)
    z.object({ outcome: z.literal('special-clauses'), clauses: lines('a clause cannot be empty', 'special clauses need at least one clause (Art. 5.3)') }).strict(),
    z.object({ outcome: z.literal('keep-blocked'), justification: z.string().trim().min(1, 'keeping the block needs a justification (Art. 5.3)').max(4000) }).strict(),
    z.object({ outcome: z.literal('revoke'), reasons: lines('a reason cannot be empty', 'revoking the contract needs at least one reason (Art. 5.3)') }).strict(),
  ])
  .openapi('TaskCompletion');

const params = z.object({ id: z.string().regex(/^([0-9a-f-]{36}-(review|authority-inquiry|formal-decision)|contract-[0-9a-f-]{36}-terms-refusal-\d{1,4})$/, 'not a task id') });

type TaskRow = Prisma.TaskGetPayload<object>;
const toView = (t: TaskRow, now = Date.now()) => ({
  taskId: t.id,
  kind: t.kind as z.infer<typeof taskSchema>['kind'],
  status: t.status as 'open' | 'completed',
  applicationId: t.applicationId,
  contractId: t.contractId,
  canton: t.canton,
  commune: t.commune,
  subject: t.subject,
  claimedBy: t.claimedBy,
  dueAt: t.dueAt.toISOString(),
  overdue: t.status === 'open' && t.dueAt.getTime() < now,
  remindersSent: t.remindersSent,
  escalated: t.escalatedAt !== null,
  createdAt: t.createdAt.toISOString(),
  outcome: t.outcome,
});

/**
 * Keyset pagination on (dueAt, id): the same cost for page 1 and page 400. The cursor names
 * its order, so a cursor of the other order is refused rather than skipping tasks.
 */
const encodeCursor = (t: TaskRow, order: 'asc' | 'desc') => Buffer.from(JSON.stringify([t.dueAt.toISOString(), t.id, order])).toString('base64url');
function decodeCursor(cursor: string, order: 'asc' | 'desc'): { dueAt: Date; id: string } {
  const bad = (issue: string) => new ApiError(400, 'validation_failed', 'the request query is not valid', [{ path: 'cursor', issue }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw bad('not a cursor from this API');
  }
  const [dueAt, id, cursorOrder] = Array.isArray(parsed) ? (parsed as unknown[]) : [];
  const d = new Date(String(dueAt));
  if (Number.isNaN(d.getTime()) || typeof id !== 'string') throw bad('not a cursor from this API');
  if ((cursorOrder ?? 'asc') !== order) throw bad(`a cursor of the ${String(cursorOrder)} order; this page asks for ${order}`);
  return { dueAt: d, id };
}

export function taskRoutes(api: Api, deps: { client: Client; db: Db; taskFeed?: TaskFeed | null }): Router {
  const router = Router();
  const { client, db } = deps;

  async function taskOr404(id: string) {
    const t = await db.task.findUnique({ where: { id } });
    if (!t) throw notFound('task');
    return t;
  }
  const answers = { [Rejections.taskNotOpen]: 409, [Rejections.taskClaimed]: 409, [Rejections.notClaimedByCaller]: 409, [Rejections.incomplete]: 400 };
  const closed = () => new ApiError(409, 'conflict', 'this task is already done');
  const audit = (req: { id: unknown }, principal: Principal, action: string, taskId: string, workflowId: string) =>
    writeAudit(db, { actorRole: principal.role, actorSub: principal.sub, action, recordType: 'task', recordId: taskId, requestId: String(req.id), workflowId });

  api.add(router, {
    method: 'get',
    path: '/v1/tasks',
    tag: 'Tasks',
    summary: "The Chancellery's inbox, soonest due first",
    roles: ['chancellery'],
    query: listQuery,
    responses: { 200: { description: 'A page of tasks', schema: z.object({ items: z.array(taskSchema), nextCursor: z.string().nullable() }) } },
    async handler({ query: q, principal }) {
      const now = new Date();
      const where: Prisma.TaskWhereInput = { status: q.status };
      if (q.kind) where.kind = q.kind;
      if (q.claimedBy) where.claimedBy = q.claimedBy === 'me' ? principal.sub : q.claimedBy === 'none' ? null : q.claimedBy;
      if (q.overdue === 'true') where.dueAt = { lt: now };
      if (q.overdue === 'false') where.dueAt = { gte: now };
      if (q.canton) where.canton = q.canton;
      if (q.commune) where.commune = q.commune;
      const after = q.cursor ? decodeCursor(q.cursor, q.order) : undefined;
      const beyond = q.order === 'asc' ? 'gt' : 'lt';
      const from = q.order === 'asc' ? 'gte' : 'lte';
      // (dueAt, id) beyond the cursor; the plain bound on dueAt lets the index scan start at
      // the cursor instead of filtering every row before it.
      const keyset: Prisma.TaskWhereInput = { dueAt: { [from]: after?.dueAt }, OR: [{ dueAt: { [beyond]: after?.dueAt } }, { dueAt: after?.dueAt, id: { [beyond]: after?.id } }] };
      const page = await db.task.findMany({
        where: after ? { AND: [where, keyset] } : where,
        orderBy: [{ dueAt: q.order }, { id: q.order }],
        take: q.limit + 1,
      });
      const items = page.slice(0, q.limit);
      return { status: 200, body: { items: items.map((t) => toView(t, now.getTime())), nextCursor: page.length > q.limit ? encodeCursor(items[items.length - 1]!, q.order) : null } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/tasks/events',
    tag: 'Tasks',
    summary: 'Live changes of the inbox as server-sent events: `event: task` with ids and states (no personal data); `event: resync` when changes may have been missed',
    roles: ['chancellery'],
    responses: { 200: { description: 'text/event-stream' }, 503: { description: 'Live updates unavailable' } },
    async handler({ req, res }) {
      const feed = deps.taskFeed;
      if (!feed) throw new ApiError(503, 'unavailable', 'live updates are not available on this server');
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.write('retry: 3000\n\n');
      let seq = 0;
      const unsubscribe = feed.subscribe((e) => {
        if (e.type === 'closing') return void res.end();
        seq += 1;
        res.write(e.type === 'task' ? `id: ${seq}\nevent: task\ndata: ${JSON.stringify(e.change)}\n\n` : `id: ${seq}\nevent: resync\ndata: {}\n\n`);
      });
      // A comment now and then keeps proxies from closing a quiet stream.
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), 15_000);
      req.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
      });
      return { status: 200, streamed: true };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/tasks/:id',
    tag: 'Tasks',
    summary: 'One task, with the application it is about',
    roles: ['chancellery'],
    params,
    responses: { 200: { description: 'The task', schema: taskSchema } },
    async handler({ params: p }) {
      return { status: 200, body: toView(await taskOr404(p.id)) };
    },
  });

  for (const [action, update, summary] of [
    ['claim', claimTaskUpdate, 'Claim a task: nobody else can complete it while you hold it'],
    ['release', releaseTaskUpdate, 'Give a claimed task back to the inbox'],
  ] as const) {
    api.add(router, {
      method: 'post',
      path: `/v1/tasks/:id/${action}`,
      tag: 'Tasks',
      summary,
      roles: ['chancellery'],
      params,
      responses: { 200: { description: 'Done', schema: taskSchema }, 409: { description: 'Done already, or claimed by someone else' } },
      async handler({ req, params: p, principal }) {
        const t = await taskOr404(p.id);
        await runUpdate(() => client.workflow.getHandle(t.workflowId).executeUpdate(update, { args: [{ taskId: t.id, by: principal.sub }] }), answers, closed);
        await audit(req, principal, `task.${action}`, t.id, t.workflowId);
        return { status: 200, body: toView(await taskOr404(p.id)) };
      },
    });
  }

  api.add(router, {
    method: 'post',
    path: '/v1/tasks/:id/complete',
    tag: 'Tasks',
    summary: 'Complete a claimed task: approve with a justification or refuse with reasons (onboarding); agree special clauses, keep the block or revoke (terms refusal)',
    roles: ['chancellery'],
    params,
    body: completion,
    responses: { 200: { description: 'Completed', schema: taskSchema }, 409: { description: 'Done already, or not claimed by you' } },
    async handler({ req, params: p, body, principal }) {
      const t = await taskOr404(p.id);
      // Reasons and justifications are about the person: under their record's data key.
      const completion = t.contractId ? personalData('contract', t.contractId, { ...body, taskId: t.id, by: principal.sub }) : personalData('onboarding-application', t.applicationId!, { ...body, taskId: t.id, by: principal.sub });
      await runUpdate(() => client.workflow.getHandle(t.workflowId).executeUpdate(completeTaskUpdate, { args: [completion] }), answers, closed);
      await audit(req, principal, `task.complete.${body.outcome}`, t.id, t.workflowId);
      return { status: 200, body: toView(await taskOr404(p.id)) };
    },
  });

  return router;
}
