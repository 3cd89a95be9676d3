// Reads a process's shape off a real history, for its twin (./workflows.ts): each workflow
// task with what woke it and the commands it gave, payload sizes as stored (encrypted), and
// the workflows its activities started (a retention, a contract), read off their histories.
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { TwinCommand, TwinShape, TwinTask } from './workflows';

type Payloads = temporal.api.common.v1.IPayloads | null | undefined;
const bytes = (p: Payloads) =>
  (p?.payloads ?? []).reduce((s, x) => s + (x.data?.length ?? 0) + Object.values(x.metadata ?? {}).reduce((m, v) => m + (v?.length ?? 0), 0), 0);

/** Workflows an activity of this type started, by id (the real activity's side effects). */
export type StartsOf = (activityType: string) => string[];

export async function readShape(client: Client, workflowId: string, startsOf: StartsOf = () => []): Promise<TwinShape> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const tasks: TwinTask[] = [];
  const activities = new Map<number, Extract<TwinCommand, { kind: 'activity' }>>();
  const timers = new Map<number, Extract<TwinCommand, { kind: 'timer' }>>();
  const started = new Set<string>();
  let process = '';
  let inputBytes = 0;
  let resultBytes = 0;
  let wokenBy: TwinTask['wokenBy'] = 'start';
  let current: TwinTask | undefined;
  for (const e of events) {
    const id = Number(e.eventId);
    if (e.workflowExecutionStartedEventAttributes) {
      process = e.workflowExecutionStartedEventAttributes.workflowType?.name ?? '?';
      inputBytes = bytes(e.workflowExecutionStartedEventAttributes.input);
    } else if (e.workflowTaskCompletedEventAttributes) {
      current = { wokenBy, commands: [], updatesAccepted: 0, updatesCompleted: 0, completes: false };
      tasks.push(current);
      wokenBy = 'other';
    } else if (e.activityTaskScheduledEventAttributes) {
      const type = e.activityTaskScheduledEventAttributes.activityType?.name ?? '';
      const c: Extract<TwinCommand, { kind: 'activity' }> = {
        kind: 'activity',
        inputBytes: bytes(e.activityTaskScheduledEventAttributes.input),
        resultBytes: 0,
        starts: [],
      };
      for (const wid of startsOf(type)) {
        if (started.has(wid)) continue;
        started.add(wid);
        c.starts.push(await readShape(client, wid, startsOf));
      }
      activities.set(id, c);
      current?.commands.push(c);
    } else if (e.activityTaskCompletedEventAttributes) {
      const c = activities.get(Number(e.activityTaskCompletedEventAttributes.scheduledEventId));
      if (c) c.resultBytes = bytes(e.activityTaskCompletedEventAttributes.result);
      wokenBy = 'activity';
    } else if (e.timerStartedEventAttributes) {
      const c: Extract<TwinCommand, { kind: 'timer' }> = { kind: 'timer', fires: false };
      timers.set(id, c);
      current?.commands.push(c);
    } else if (e.timerFiredEventAttributes) {
      const c = timers.get(Number(e.timerFiredEventAttributes.startedEventId));
      if (c) c.fires = true;
      wokenBy = 'timer';
    } else if (e.upsertWorkflowSearchAttributesEventAttributes) {
      current?.commands.push({ kind: 'upsert' });
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      const wid = e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId ?? '';
      current?.commands.push({ kind: 'child', shape: await readShape(client, wid, startsOf) });
    } else if (e.childWorkflowExecutionStartedEventAttributes) {
      wokenBy = 'child';
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      if (current) {
        current.updatesAccepted += 1;
        if (current.wokenBy === 'other') current.wokenBy = 'update';
      }
    } else if (e.workflowExecutionUpdateCompletedEventAttributes) {
      if (current) current.updatesCompleted += 1;
    } else if (e.workflowExecutionCompletedEventAttributes) {
      resultBytes = bytes(e.workflowExecutionCompletedEventAttributes.result);
      if (current) current.completes = true;
    }
  }
  return { process, inputBytes, resultBytes, tasks };
}

/** What a history holds, by kind: to print the real process and its twin side by side. */
export interface ShapeCounts {
  workflows: number;
  workflowTasks: number;
  activities: number;
  timers: number;
  updates: number;
  upserts: number;
  events: number;
}

/** `deep`: with the workflows its activities and children started. */
export function countsOf(shape: TwinShape, deep = true): Omit<ShapeCounts, 'events'> {
  const out = { workflows: 1, workflowTasks: shape.tasks.length, activities: 0, timers: 0, updates: 0, upserts: 0 };
  for (const t of shape.tasks) {
    out.updates += t.updatesAccepted;
    for (const c of t.commands) {
      if (c.kind === 'activity') {
        out.activities += 1;
        if (deep) c.starts.forEach((s) => add(out, countsOf(s)));
      } else if (c.kind === 'timer') out.timers += 1;
      else if (c.kind === 'upsert') out.upserts += 1;
      else if (deep) add(out, countsOf(c.shape));
    }
  }
  return out;
}

function add(a: Omit<ShapeCounts, 'events'>, b: Omit<ShapeCounts, 'events'>) {
  a.workflows += b.workflows;
  a.workflowTasks += b.workflowTasks;
  a.activities += b.activities;
  a.timers += b.timers;
  a.updates += b.updates;
  a.upserts += b.upserts;
}

export const fmtCounts = (c: Omit<ShapeCounts, 'events'>) =>
  `${c.workflows} workflow${c.workflows > 1 ? 's' : ''}, ${c.workflowTasks} workflow tasks, ${c.activities} activities, ${c.timers} timers, ${c.updates} Updates, ${c.upserts} upserts`;
