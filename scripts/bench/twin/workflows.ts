// The synthetic twin of a process (npm run bench, section 7): a workflow of the same shape as
// the real one — the same workflow tasks, activities, timers, search-attribute upserts,
// Updates and workflows started, with payloads of the same sizes — and nothing else: empty
// activities, this file alone in its bundle, no payload codec. What the real process costs
// above its twin is what the engine adds on top of Temporal. The shape is read off a real
// history (../twin-shape.ts); this file plays it back.
import { condition, defineUpdate, ParentClosePolicy, proxyActivities, setHandler, startChild, upsertSearchAttributes, uuid4 } from '@temporalio/workflow';
import { GvsState } from '../../../workflows/search-attributes';

/** One command the real workflow gave in a workflow task. */
export type TwinCommand =
  | { kind: 'activity'; inputBytes: number; resultBytes: number; starts: TwinShape[] }
  | { kind: 'timer'; fires: boolean }
  | { kind: 'upsert' }
  | { kind: 'child'; shape: TwinShape };

/** One workflow task of the real history: what woke it, and the commands it gave. */
export interface TwinTask {
  wokenBy: 'start' | 'activity' | 'timer' | 'update' | 'child' | 'other';
  commands: TwinCommand[];
  /** Updates it accepted, and those whose handlers returned in it. */
  updatesAccepted: number;
  updatesCompleted: number;
  /** The real workflow completed in this task; when no task does, it stays open (a contract lives for years). */
  completes: boolean;
}

export interface TwinShape {
  process: string;
  inputBytes: number;
  resultBytes: number;
  tasks: TwinTask[];
}

/** The driver sends the n-th Update (0, 1, …) as the real process gets its n-th. */
export const twinUpdate = defineUpdate<number, [number]>('twinUpdate');

export interface TwinActivities {
  twinActivity(pad: string, resultBytes: number): Promise<string>;
  /** The real activity started workflows (a contract, a retention): so does this one, with their twins. */
  twinStart(shapes: TwinShape[], pad: string, resultBytes: number): Promise<string>;
}

const acts = proxyActivities<TwinActivities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second' } });

/** A JSON string of about `bytes` bytes. */
export const pad = (bytes: number) => 'x'.repeat(Math.max(0, bytes - 2));

interface Outstanding {
  kind: 'activity' | 'timer' | 'child';
  done: boolean;
}

export async function twin(shape: TwinShape, _input: string): Promise<string> {
  let updatesReceived = 0;
  let taskIndex = 0;
  const completionTask: number[] = [];
  shape.tasks.forEach((t, i) => {
    for (let k = 0; k < t.updatesCompleted; k++) completionTask.push(i);
  });
  // An Update's handler returns in the task where the real one's did.
  setHandler(twinUpdate, async (n) => {
    updatesReceived += 1;
    await condition(() => taskIndex >= (completionTask[n] ?? shape.tasks.length));
    return n;
  });

  const outstanding: Outstanding[] = [];
  const track = (kind: Outstanding['kind'], p: Promise<unknown>) => {
    const o: Outstanding = { kind, done: false };
    outstanding.push(o);
    void p.then(() => (o.done = true));
  };
  let accepted = 0;
  for (const [i, task] of shape.tasks.entries()) {
    if (i > 0) {
      // Wait for what woke the real workflow's task: an activity done, a timer, an Update, a child started.
      // One at a time: two that ended together wake the twin once, as they did the real one.
      const kind = task.wokenBy;
      if (kind === 'update') await condition(() => updatesReceived > accepted);
      else if (kind === 'activity' || kind === 'timer' || kind === 'child') {
        await condition(() => outstanding.some((o) => o.kind === kind && o.done));
        outstanding.splice(
          outstanding.findIndex((o) => o.kind === kind && o.done),
          1,
        );
      }
    }
    accepted += task.updatesAccepted;
    taskIndex = i;
    for (const c of task.commands) {
      if (c.kind === 'activity') {
        track('activity', c.starts.length ? acts.twinStart(c.starts, pad(c.inputBytes), c.resultBytes) : acts.twinActivity(pad(c.inputBytes), c.resultBytes));
      } else if (c.kind === 'timer') {
        // A timer that fires, or a reminder an Update cancels (a condition with a timeout).
        const until = accepted;
        track('timer', c.fires ? condition(() => false, '1 second') : condition(() => updatesReceived > until, '3 days'));
      } else if (c.kind === 'upsert') {
        upsertSearchAttributes([{ key: GvsState, value: `twin-${i}` }]);
      } else {
        track(
          'child',
          startChild(twin, {
            args: [c.shape, pad(c.shape.inputBytes)],
            workflowId: `twin-${c.shape.process}-${uuid4()}`,
            parentClosePolicy: ParentClosePolicy.ABANDON,
          }),
        );
      }
    }
    if (task.completes) {
      taskIndex = shape.tasks.length;
      return pad(shape.resultBytes);
    }
  }
  taskIndex = shape.tasks.length;
  await condition(() => false);
  return '';
}
