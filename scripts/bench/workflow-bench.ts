// 2. Access requests end to end on a real dev server and worker: start, decide (Update),
// completion — with the encrypting data converter and with a plain one, same run.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { accessRequestWorkflowId, decideUpdate } from '../../workflows/access-request/definitions';
import type { AccessRequestInput } from '../../workflows/access-request/types';
import type { accessRequest } from '../../workflows/access-request/workflow';

export interface RequestTiming {
  requestId: string;
  /** start call issued → workflow completed, ms */
  total: number;
  start: number;
  decide: number;
  result: number;
}

export interface BatchResult {
  timings: RequestTiming[];
  wallMs: number;
}

export function requestInput(requestId = randomUUID()): AccessRequestInput {
  return {
    requestId,
    canton: 'JU',
    unitId: 'SPOP',
    service: 'building-permits',
    citizenSub: `citizen-${requestId}`,
    filedBySub: `citizen-${requestId}`,
    filedByRole: 'citizen',
    applicant: { avsNumber: '756.9217.0769.85', email: 'jeanne.exemple@example.ch' },
    note: 'Consultation du dossier de permis de construire, parcelle 1234.',
    requestedAt: new Date().toISOString(),
  };
}

/** One request: filed, granted by its unit, awaited until the workflow completes. */
async function oneRequest(client: Client, taskQueue: string): Promise<RequestTiming> {
  const input = requestInput();
  const t0 = performance.now();
  const handle = await client.workflow.start<typeof accessRequest>('accessRequest', {
    taskQueue,
    workflowId: accessRequestWorkflowId(input.requestId),
    args: [input],
  });
  const t1 = performance.now();
  const afterDecision = await handle.executeUpdate(decideUpdate, {
    args: [{ outcome: 'grant', decidedBySub: 'unit-agent-SPOP', decidedAt: new Date().toISOString() }],
  });
  const t2 = performance.now();
  const final = await handle.result();
  const t3 = performance.now();
  if (afterDecision.state !== 'granted' || final.state !== 'granted') throw new Error(`request ${input.requestId} ended ${final.state}`);
  return { requestId: input.requestId, total: t3 - t0, start: t1 - t0, decide: t2 - t1, result: t3 - t2 };
}

/** `count` requests, at most `concurrency` in flight. */
export async function runBatch(client: Client, taskQueue: string, count: number, concurrency: number): Promise<BatchResult> {
  const timings: RequestTiming[] = [];
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < count) {
      next++;
      timings.push(await oneRequest(client, taskQueue));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { timings, wallMs: performance.now() - t0 };
}

export interface Breakdown {
  /** task scheduled → picked up by the worker (queueing in the server, polling) */
  wftWait: number;
  wftRun: number;
  activityWait: number;
  activityRun: number;
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : 0);

/** Where one request's time went, summed over its tasks, from its history's event times. */
export async function historyBreakdown(client: Client, requestId: string): Promise<Breakdown> {
  const history = await client.workflow.getHandle(accessRequestWorkflowId(requestId)).fetchHistory();
  const at = new Map<number, number>();
  const out: Breakdown = { wftWait: 0, wftRun: 0, activityWait: 0, activityRun: 0 };
  for (const e of history.events ?? []) {
    const t = ms(e.eventTime);
    at.set(Number(e.eventId), t);
    if (e.workflowTaskStartedEventAttributes) out.wftWait += t - (at.get(Number(e.workflowTaskStartedEventAttributes.scheduledEventId)) ?? t);
    if (e.workflowTaskCompletedEventAttributes) out.wftRun += t - (at.get(Number(e.workflowTaskCompletedEventAttributes.startedEventId)) ?? t);
    if (e.activityTaskStartedEventAttributes) out.activityWait += t - (at.get(Number(e.activityTaskStartedEventAttributes.scheduledEventId)) ?? t);
    if (e.activityTaskCompletedEventAttributes) out.activityRun += t - (at.get(Number(e.activityTaskCompletedEventAttributes.startedEventId)) ?? t);
  }
  return out;
}
