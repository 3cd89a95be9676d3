// A task for a person, inside any process workflow: opened in the inbox's table, reminded
// every period and escalated once while nobody acts, claimed, released and completed through
// the shared Updates — whose validators are the single judge of "not yours" and "done".
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { CantonProfile } from '../../domain/profiles';
import type { Activities } from '../common';
import {
  claimTaskUpdate,
  completeTaskUpdate,
  OUTCOMES_BY_KIND,
  releaseTaskUpdate,
  TaskRejections,
  type TaskCompletion,
  type TaskKind,
  type TaskView,
} from './definitions';

const DAY_MS = 24 * 60 * 60 * 1000;
export const reject = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

const filled = (s: string | undefined) => !!s?.trim();
const allFilled = (xs: string[] | undefined) => !!xs?.length && xs.every((x) => filled(x));

/** What each outcome needs besides itself, and the article that asks for it. */
function missingFor(c: TaskCompletion): string | null {
  switch (c.outcome) {
    case 'approve':
      return filled(c.justification) ? null : 'an approval needs a justification';
    case 'refuse':
      return allFilled(c.reasons) ? null : 'a refusal needs its reasons';
    case 'acknowledge':
      return filled(c.justification) ? null : 'say what was found out about the letter and what was done';
    case 'record':
      return filled(c.justification) ? null : 'say what was received and what was checked (LGSU Art. 22 al. 3, Art. 9.4, 13.1)';
    case 'lift':
      return filled(c.justification) ? null : 'say which written request was received and what was checked (NE 7.6)';
    case 'reactivate':
      return filled(c.justification) ? null : "say how the person asked for the account's reactivation (NE 7.4)";
    case 'grant':
      return null;
    case 'special-clauses':
      return allFilled(c.clauses) ? null : 'special clauses need their text (Art. 5.3, 6)';
    case 'keep-blocked':
      return filled(c.justification) ? null : 'keeping the block needs a justification (Art. 5.3)';
    case 'revoke':
      return allFilled(c.reasons) ? null : 'revoking the contract needs its reasons (Art. 5.3)';
    default:
      return 'unknown outcome';
  }
}

/**
 * Installs the claim / release / complete Updates for the task `current()` returns.
 * `complete` records the completion and answers once the workflow has acted on it.
 */
export function handleTaskUpdates<S>(
  acts: Activities,
  current: () => TaskView | null,
  opts: { state: () => S; complete: (c: TaskCompletion) => Promise<S> },
): void {
  const openTaskOf = (taskId: string) => {
    const task = current();
    if (!task || task.taskId !== taskId || task.status !== 'open')
      throw reject(TaskRejections.taskNotOpen, 'this task is not open (already done, or not the one pending)');
    return task;
  };
  setHandler(
    claimTaskUpdate,
    async ({ taskId, by }) => {
      openTaskOf(taskId).claimedBy = by;
      await acts.recordTaskClaim({ taskId, claimedBy: by });
      return opts.state();
    },
    {
      validator: ({ taskId, by }) => {
        const task = openTaskOf(taskId);
        if (task.claimedBy && task.claimedBy !== by) throw reject(TaskRejections.taskClaimed, 'this task is claimed by someone else');
      },
    },
  );
  setHandler(
    releaseTaskUpdate,
    async ({ taskId }) => {
      openTaskOf(taskId).claimedBy = null;
      await acts.recordTaskClaim({ taskId, claimedBy: null });
      return opts.state();
    },
    {
      validator: ({ taskId, by }) => {
        if (openTaskOf(taskId).claimedBy !== by) throw reject(TaskRejections.notClaimedByCaller, 'only the person who claimed this task can release it');
      },
    },
  );
  setHandler(completeTaskUpdate, opts.complete, {
    validator: (c) => {
      const task = openTaskOf(c.taskId);
      if (task.claimedBy !== c.by) throw reject(TaskRejections.notClaimedByCaller, 'claim this task before completing it');
      const allowed = OUTCOMES_BY_KIND[task.kind];
      if (!allowed.includes(c.outcome))
        throw reject(TaskRejections.incomplete, `a ${task.kind} task is completed with one of: ${allowed.join(', ') || '(none: it is answered elsewhere)'}`);
      const missing = missingFor(c);
      if (missing) throw reject(TaskRejections.incomplete, missing);
    },
  });
}

export interface TaskSpec {
  taskId: string;
  kind: TaskKind;
  /** What is asked, without personal data */
  subject: string;
  workflowId: string;
  canton: string;
  commune: string | null;
  applicationId?: string;
  contractId?: string;
  /** The unit that owes the answer, in its own inbox (absent: the Chancellery's) */
  unitId?: string;
  decisionId?: string;
  formalRequestId?: string;
  entityApplicationId?: string;
  proxyId?: string;
  representationId?: string;
  accessRequestId?: string;
  transactionId?: string;
}

/**
 * Opens the task and waits until `done`, reminding every period and escalating once
 * (durations from the profile). `opened` receives the live view once the task is in the
 * inbox's table (visible and claimable from then on).
 */
export async function runHumanTask(
  acts: Activities,
  profile: CantonProfile,
  spec: TaskSpec,
  opened: (view: TaskView) => void,
  done: () => boolean,
  /** Receives the view before its row is written: claims of a task just seen in the inbox are taken then. */
  opening?: (view: TaskView) => void,
): Promise<void> {
  const createdAt = Date.now();
  const reminderMs = profile.reminders.taskReminderDays * DAY_MS;
  const escalateAt = createdAt + profile.reminders.taskEscalationDays * DAY_MS;
  let nextReminder = createdAt + reminderMs;
  const dueAt = new Date(nextReminder).toISOString();
  const view: TaskView = { taskId: spec.taskId, kind: spec.kind, status: 'open', claimedBy: null, dueAt, remindersSent: 0, escalated: false };
  opening?.(view);
  // The notice speaks the process's rule set (its words); activity inputs are not replay-checked.
  await acts.openTask({ ...spec, ruleSetId: profile.ruleSet.id, createdAt: new Date(createdAt).toISOString(), dueAt });
  opened(view);
  for (;;) {
    const wakeAt = view.escalated ? nextReminder : Math.min(nextReminder, escalateAt);
    view.dueAt = new Date(wakeAt).toISOString();
    if (await condition(done, Math.max(1, wakeAt - Date.now()))) break;
    // Nobody acted in time: remind (and, once, escalate); the task keeps waiting.
    const now = Date.now();
    const escalate = !view.escalated && now >= escalateAt;
    if (escalate) view.escalated = true;
    if (now >= nextReminder) {
      view.remindersSent += 1;
      nextReminder += reminderMs;
    }
    await acts.remindTask({
      taskId: spec.taskId,
      remindersSent: view.remindersSent,
      escalate,
      ruleSetId: profile.ruleSet.id,
      nextDueAt: new Date(Math.min(nextReminder, view.escalated ? nextReminder : escalateAt)).toISOString(),
    });
  }
  view.status = 'completed';
}
