// Case timelines for staff: an application's or a decision's events, periods, pending
// deadlines and audit trail, with the féries and public holidays of the span — read from the
// records, laid out by domain/timeline.ts. No personal data: ids, codes and dates.
import { Router } from 'express';
import { z } from 'zod';
import { failedChecks, type CheckOutcome } from '../../domain/onboarding';
import { getProfile, type CantonCode } from '../../domain/profiles';
import { applicationTimeline, decisionTimeline, type CaseTimeline } from '../../domain/timeline';
import type { Db } from '../../infra/db';
import { notFound } from '../errors';
import type { Api } from '../http';

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

export function caseRoutes(api: Api, deps: { db: Db }): Router {
  const router = Router();
  const { db } = deps;
  const history = async (ids: string[]): Promise<CaseTimeline['history']> =>
    (await db.auditLog.findMany({ where: { recordId: { in: ids } }, orderBy: { at: 'asc' }, take: 500 })).map((a) => ({ at: a.at.toISOString(), action: a.action, actorRole: a.actorRole, actorSub: a.actorSub }));

  api.add(router, {
    method: 'get',
    path: '/v1/onboarding/applications/:id/timeline',
    tag: 'Onboarding',
    summary: "An application's timeline for staff: submission, checks, tasks, reminders, escalation, decision; pending deadlines; the audit trail",
    roles: ['chancellery'],
    params: z.object({ id: z.uuid('not an application id') }),
    responses: { 200: { description: 'The timeline', schema: timelineSchema } },
    async handler({ params: p }) {
      const a = await db.onboardingApplication.findUnique({
        where: { id: p.id },
        select: { id: true, canton: true, status: true, submittedAt: true, decidedAt: true, checks: true, formalDecisionDeadline: true, tasks: true },
      });
      if (!a) throw notFound('application');
      const taskIds = a.tasks.map((t) => t.id);
      // Each reminder is an e-mail with an outbox row `<taskId>:reminder-<n>`: its time is the reminder's.
      const reminders = await db.mailOutbox.findMany({ where: { OR: taskIds.map((id) => ({ id: { startsWith: `${id}:reminder-` } })) }, select: { id: true, createdAt: true } });
      const profile = getProfile(a.canton as CantonCode);
      const body = applicationTimeline(
        {
          id: a.id,
          canton: a.canton,
          status: a.status,
          submittedAt: a.submittedAt,
          decidedAt: a.decidedAt,
          checked: a.checks !== null,
          failedChecks: a.checks ? failedChecks(a.checks as unknown as CheckOutcome) : [],
          formalDecisionDeadline: a.formalDecisionDeadline,
          tasks: a.tasks.map((t) => ({ ...t, reminders: reminders.filter((r) => r.id.startsWith(`${t.id}:`)).map((r) => r.createdAt) })),
          history: await history([a.id, ...taskIds]),
        },
        new Date(),
        profile,
      );
      return { status: 200, body };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/decisions/:id/timeline',
    tag: 'Decisions',
    summary: "A decision's service timeline: the electronic window, postal events, deemed delivery and the remedy period, with the féries",
    roles: ['chancellery', 'unit'],
    params: z.object({ id: z.string().min(1).max(100) }),
    responses: { 200: { description: 'The timeline', schema: timelineSchema } },
    async handler({ params: p, principal }) {
      const d = await db.decision.findUnique({ where: { id: p.id }, include: { postalEvents: { orderBy: { occurredOn: 'asc' } } } });
      // A unit sees the decisions it serves; another unit's are not there for it.
      if (!d || (principal.role === 'unit' && d.unitId !== principal.unitId)) throw notFound('decision');
      const trail = await history([d.id]);
      const sentByPost = trail.find((h) => h.action === 'decision.sent-by-registered-post');
      const body = decisionTimeline(
        {
          id: d.id,
          canton: d.canton,
          state: d.state,
          createdAt: d.createdAt,
          communicatedAt: d.communicatedAt,
          windowLastDay: d.windowLastDay,
          openedAt: d.openedAt,
          lateOpenedAt: d.lateOpenedAt,
          sentByPostAt: sentByPost ? new Date(sentByPost.at) : null,
          postalEvents: d.postalEvents.map((e) => ({ type: e.type, occurredOn: e.occurredOn })),
          serviceRule: d.serviceRule,
          triggerDay: d.triggerDay,
          remedyStart: d.remedyStart,
          remedyLastDay: d.remedyLastDay,
          remedyKind: d.remedyKind,
          history: trail,
        },
        new Date(),
        getProfile(d.canton as CantonCode),
      );
      return { status: 200, body };
    },
  });

  return router;
}
