// The task inboxes — the Chancellery's, the authority's, each unit's: list, read, claim, release, complete; live changes as
// server-sent events. Each route: parse → use case (app/tasks.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { taskRejections } from '../../app/gateways/task';
import { TASK_KINDS } from '../../app/tasks';
import { ApiError } from '../errors';
import type { Api } from '../http';
import { rejections } from '../openapi';
import type { TaskFeed } from '../task-feed';

const taskSchema = z
  .object({
    taskId: z.string(),
    kind: z.enum(TASK_KINDS),
    status: z.enum(['open', 'completed']),
    applicationId: z.string().nullable().openapi({ description: 'The application an onboarding task is about' }),
    contractId: z.string().nullable().openapi({ description: 'The contract a terms-refusal task is about' }),
    unitId: z.string().nullable().openapi({ description: "The unit that owes the answer, in its own inbox (null: the Chancellery's)" }),
    decisionId: z.string().nullable().openapi({ description: 'The decision a postal-tracking task is about' }),
    formalRequestId: z
      .string()
      .nullable()
      .openapi({ description: 'The request for a formal decision this task answers: GET /v1/formal-decision-requests/{id}' }),
    entityApplicationId: z.string().nullable().openapi({ description: 'The legal entity’s application an entity task is about (Art. 11.2, 13.1)' }),
    proxyId: z.string().nullable().openapi({ description: 'The proxy a written-proxy task is about (NE: LGSU Art. 22 al. 3)' }),
    representationId: z
      .string()
      .nullable()
      .openapi({ description: 'The request a legal-representation or written-proxy-contract task is about: GET /v1/representation-requests/{id}' }),
    accessRequestId: z.string().nullable().openapi({ description: 'The access request an access-request task decides: GET /v1/access-requests/{id}' }),
    transactionId: z.string().nullable().openapi({ description: 'The transaction a transaction task answers: GET /v1/transactions/{id}, POST …/answer' }),
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

const inquiryPerson = z
  .object({ lastName: z.string(), firstName: z.string(), birthDate: z.string(), avsNumber: z.string() })
  .openapi('InquiryPerson', { description: 'authority only: whom the inquiry is about (Art. 4.5 c)' });

const entityReview = z
  .object({
    uid: z.string(),
    filedBy: z.object({ lastName: z.string(), firstName: z.string(), birthDate: z.string() }),
    signingPower: z.string().nullable().openapi({ description: 'individual | collective | no-power | not-found | cancelled' }),
    register: z
      .object({
        name: z.string(),
        legalForm: z.string(),
        legalSeat: z.string(),
        status: z.string(),
        signatories: z.array(z.object({ lastName: z.string(), firstName: z.string(), signingPower: z.string() }).passthrough()),
      })
      .passthrough()
      .nullable(),
  })
  .openapi('EntityReview', { description: "Chancellery only: the filer and the commercial register's answer (Art. 11.2)" });

const lines = (empty: string, none: string) => z.array(z.string().trim().min(1, empty).max(1000)).min(1, none).max(20);
const completion = z
  .discriminatedUnion('outcome', [
    // onboarding review and formal decision
    z.object({ outcome: z.literal('approve'), justification: z.string().trim().min(1, 'an approval needs a justification').max(4000) }).strict(),
    z.object({ outcome: z.literal('refuse'), reasons: lines('a reason cannot be empty', 'a refusal needs at least one reason') }).strict(),
    // a refusal of the terms of use (Art. 5.3)
    z
      .object({ outcome: z.literal('special-clauses'), clauses: lines('a clause cannot be empty', 'special clauses need at least one clause (Art. 5.3)') })
      .strict(),
    z
      .object({ outcome: z.literal('keep-blocked'), justification: z.string().trim().min(1, 'keeping the block needs a justification (Art. 5.3)').max(4000) })
      .strict(),
    z
      .object({ outcome: z.literal('revoke'), reasons: lines('a reason cannot be empty', 'revoking the contract needs at least one reason (Art. 5.3)') })
      .strict(),
    // a registered letter without tracking (the unit's inbox)
    z
      .object({
        outcome: z.literal('acknowledge'),
        justification: z.string().trim().min(1, 'say what was found out about the letter and what was done').max(4000),
      })
      .strict(),
    // a written proxy or contract received on paper (NE 3.2, Art. 9.4, 13.1)
    z
      .object({
        outcome: z.literal('record'),
        justification: z.string().trim().min(1, 'say what was received and what was checked (LGSU Art. 22 al. 3, Art. 9.4, 13.1)').max(4000),
      })
      .strict(),
    // NE 7.6: the block of the access rights lifted on a written request; NE 7.4: a deactivated account reactivated
    z
      .object({
        outcome: z.literal('lift'),
        justification: z.string().trim().min(1, 'say which written request was received and what was checked (NE 7.6)').max(4000),
      })
      .strict(),
    z
      .object({
        outcome: z.literal('reactivate'),
        justification: z.string().trim().min(1, "say how the person asked for the account's reactivation (NE 7.4)").max(4000),
      })
      .strict(),
    // Art. 14.2: access to a unit's service granted
    z.object({ outcome: z.literal('grant') }).strict(),
  ])
  .openapi('TaskCompletion');

const params = z.object({
  id: z
    .string()
    .regex(
      /^([0-9a-f-]{36}-(review|authority-inquiry|formal-decision)|contract-[0-9a-f-]{36}-terms-refusal-\d{1,4}|(fd-)?[0-9a-f-]{36}-postal-tracking|[0-9a-f-]{36}-(written-proxy|legal-representation|written-proxy-contract|entity-powers|written-contract)|user-[0-9a-f-]{36}-(access-rights-block|account-deactivated)-\d{1,4}|access-request-[0-9a-f-]{36}|transaction-[0-9a-f-]{36}-\d{1,4})$/,
      'not a task id',
    ),
});

const refusals = { 409: { description: rejections(taskRejections, 409, 'Done already, or claimed by someone else') } };

export function taskRoutes(api: Api, deps: { application: Application; taskFeed?: TaskFeed | null }): Router {
  const router = Router();
  const tasks = deps.application.tasks;

  api.add(router, {
    method: 'get',
    path: '/v1/tasks',
    tag: 'Tasks',
    summary:
      "The Chancellery's inbox, soonest due first; for the protection authority, the inquiries put to it (Art. 4.5 c); for a unit, its own tasks (formal decisions on access, letters without tracking)",
    roles: ['chancellery', 'authority', 'unit'],
    query: listQuery,
    responses: { 200: { description: 'A page of tasks', schema: z.object({ items: z.array(taskSchema), nextCursor: z.string().nullable() }) } },
    handler: async ({ query: q, caller }) => ({ status: 200, body: await tasks.list(caller, q) }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/tasks/events',
    tag: 'Tasks',
    summary:
      'Live changes of the inbox as server-sent events: `event: task` with ids and states (no personal data); `event: resync` when changes may have been missed',
    roles: ['chancellery'],
    responses: { 200: { description: 'text/event-stream' }, 503: { description: 'Live updates unavailable' } },
    async handler({ req, res }) {
      if (!deps.taskFeed) throw new ApiError(503, 'unavailable', 'live updates are not available on this server');
      deps.taskFeed.stream(req, res);
      return { status: 200, streamed: true };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/tasks/:id',
    tag: 'Tasks',
    summary:
      'One task, with the application it is about; for the authority, the person its inquiry is about; for an entity task, the filer and the commercial register’s answer (each read access-logged)',
    roles: ['chancellery', 'authority', 'unit'],
    params,
    responses: { 200: { description: 'The task', schema: taskSchema.extend({ person: inquiryPerson.optional(), entity: entityReview.optional() }) } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await tasks.get(caller, p.id) }),
  });

  for (const [action, claim, summary] of [
    ['claim', true, 'Claim a task: nobody else can complete it while you hold it'],
    ['release', false, 'Give a claimed task back to the inbox'],
  ] as const) {
    api.add(router, {
      method: 'post',
      path: `/v1/tasks/:id/${action}`,
      tag: 'Tasks',
      summary,
      roles: ['chancellery', 'unit'],
      params,
      responses: { 200: { description: 'Done', schema: taskSchema }, ...refusals },
      handler: async ({ params: p, caller }) => ({ status: 200, body: await tasks.claim(caller, p.id, claim) }),
    });
  }

  api.add(router, {
    method: 'post',
    path: '/v1/tasks/:id/complete',
    tag: 'Tasks',
    summary:
      'Complete a claimed task: approve with a justification or refuse with reasons (onboarding, formal decision, legal representation); agree special clauses, keep the block or revoke (terms refusal); acknowledge with what was done (a letter without tracking); record what was received on paper, or refuse (written proxy NE 3.2, written proxy contract Art. 9.4)',
    roles: ['chancellery', 'unit'],
    params,
    body: completion,
    responses: {
      200: { description: 'Completed', schema: taskSchema },
      ...refusals,
      400: { description: rejections(taskRejections, 400, 'Not an outcome for this kind of task') },
    },
    handler: async ({ params: p, body, caller }) => ({ status: 200, body: await tasks.complete(caller, p.id, body) }),
  });

  return router;
}
