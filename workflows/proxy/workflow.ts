// A proxy (Art. 9.1-9.3): offered by the represented person to another identified user, for
// named services; accepted by him with his own identity, or lapsed after the profile's days;
// active until its last day, or revoked at any time with immediate effect. Each change is
// written to its row before the Update answers: the API checks the row at every act.
// Neuchâtel (NE 3.2, LGSU Art. 22 al. 3-4): an unrestricted proxy, once accepted, waits for the
// written proxy with a legalised signature that the Chancellery records; it is revoked only by
// a written request of either party to the Chancellery. A proxy the Chancellery gives on a
// legal representation (Art. 9.5) or a written contract (Art. 9.4) is in force from the start.
import { condition, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { endOfLocalDay } from '../../domain/days';
import { activitiesWith, markState, ruleSetOf } from '../common';
import { GvsCanton, GvsProcess } from '../search-attributes';
import type { TaskCompletion, TaskView } from '../task/definitions';
import { handleTaskUpdates, reject, runHumanTask } from '../task/human-task';
import {
  acceptProxyUpdate,
  PROXY_PROCESS,
  ProxyRejections,
  proxyStateQuery,
  proxyWorkflowId,
  revokeProxyUpdate,
  writtenProxyTaskId,
  writtenRevocationUpdate,
} from './definitions';
import type { ProxyInput, ProxyState, ProxyStatus, WrittenRevocation } from './types';

const acts = activitiesWith({ startToCloseTimeout: '30 seconds', initialInterval: '1 second', maximumInterval: '5 minutes' });

export async function proxy(input: ProxyInput): Promise<ProxyState> {
  const profile = ruleSetOf(input);
  let status: ProxyStatus = 'offered';
  let accepted: { by: string } | undefined;
  let revoked: { by: string; written?: WrittenRevocation } | undefined;
  let pending: TaskView | null = null;
  let completion: Extract<TaskCompletion, { outcome: 'record' | 'refuse' }> | undefined;
  const lapsesAt = new Date(new Date(input.offeredAt).getTime() + profile.representation.proxyAcceptanceDays * 86_400_000);
  const expiresAt = input.until ? endOfLocalDay(input.until, profile.timeZone) : undefined;
  // NE 3.2 (LGSU Art. 22 al. 3-4): the rule of the profile the process started under.
  const inWriting = input.unrestricted === true && profile.representation.unrestrictedProxyInWriting;

  const state = (): ProxyState => ({
    proxyId: input.proxyId,
    status,
    lapsesAt: status === 'offered' ? lapsesAt.toISOString() : undefined,
    expiresAt: status === 'active' ? expiresAt?.toISOString() : undefined,
    ...(pending ? { pending: { ...pending } } : {}),
  });
  const enter = async (next: ProxyStatus, by?: string, extra: { role?: 'chancellery'; writtenRevocation?: WrittenRevocation } = {}) => {
    await acts.recordProxyState({ proxyId: input.proxyId, status: next, by, ...extra });
    status = next;
    markState(next, next === 'offered' ? 'representative' : next === 'awaiting-written-proxy' ? 'chancellery' : 'none');
  };

  setHandler(proxyStateQuery, state);
  setHandler(
    acceptProxyUpdate,
    async (a) => {
      accepted = a;
      await condition(() => status !== 'offered');
      return state();
    },
    {
      validator: (_a: { by: string }) => {
        if (status !== 'offered' || accepted || revoked) throw reject(ProxyRejections.notOffered, `this proxy is ${status}: it can no longer be accepted`);
      },
    },
  );
  const revocable = () => {
    if (status !== 'offered' && status !== 'active' && status !== 'awaiting-written-proxy')
      throw reject(ProxyRejections.ended, `this proxy is ${status} already`);
    if (revoked) throw reject(ProxyRejections.ended, 'this proxy is being revoked');
  };
  setHandler(
    revokeProxyUpdate,
    async (r) => {
      revoked = r;
      await condition(() => status === 'revoked');
      return state();
    },
    {
      validator: (_r: { by: string }) => {
        revocable();
        // LGSU Art. 22 al. 4: once its written form is on its way or recorded, only in writing.
        if (inWriting && status !== 'offered')
          throw reject(
            ProxyRejections.writtenRevocationOnly,
            'an unrestricted proxy is revoked by a written request to the Chancellery, LGSU Art. 22 al. 4 (either party may send it)',
          );
      },
    },
  );
  setHandler(
    writtenRevocationUpdate,
    async (w) => {
      revoked = { by: w.by, written: w };
      await condition(() => status === 'revoked');
      return state();
    },
    {
      validator: (w: WrittenRevocation) => {
        revocable();
        if (!/^\d{4}-\d{2}-\d{2}$/.test(w.receivedOn) || (w.from !== 'grantor' && w.from !== 'representative'))
          throw reject(ProxyRejections.ended, 'a written revocation needs the day it was received and who sent it');
      },
    },
  );
  handleTaskUpdates(acts, () => pending, {
    state,
    complete: async (c) => {
      completion = c as typeof completion;
      await condition(() => status !== 'awaiting-written-proxy');
      return state();
    },
  });

  /** Ends the proxy as revoked: by the grantor on the counter, or in writing through the Chancellery. */
  const endRevoked = async () => {
    const r = revoked!;
    await enter('revoked', r.by, r.written ? { role: 'chancellery', writtenRevocation: r.written } : {});
    return state();
  };

  /** Active: until revoked, or until its last day has passed. */
  async function inForce(): Promise<ProxyState> {
    if (!expiresAt) await condition(() => revoked !== undefined);
    else if (!(await condition(() => revoked !== undefined, Math.max(1, expiresAt.getTime() - Date.now())))) {
      await enter('expired');
      return state();
    }
    return endRevoked();
  }

  upsertSearchAttributes([
    { key: GvsProcess, value: PROXY_PROCESS },
    { key: GvsCanton, value: input.canton },
  ]);

  // Art. 9.4, 9.5: given by the Chancellery's decision; its row was written active with it.
  if (input.standing && patched('standing-proxy')) {
    status = 'active';
    markState('active', 'none');
    return inForce();
  }
  markState('offered', 'representative');

  // Offered: accepted, revoked, or lapsed at the end of the acceptance period.
  const answered = await condition(() => accepted !== undefined || revoked !== undefined, Math.max(1, lapsesAt.getTime() - Date.now()));
  if (!answered) {
    await enter('lapsed');
    return state();
  }
  if (revoked) return endRevoked();

  if (inWriting && patched('ne-written-proxy')) {
    // LGSU Art. 22 al. 3: accepted, it waits for the written proxy with a legalised signature.
    await enter('awaiting-written-proxy', accepted!.by);
    await runHumanTask(
      acts,
      profile,
      {
        taskId: writtenProxyTaskId(input.proxyId),
        kind: 'written-proxy',
        subject: 'procuration écrite à signature légalisée pour un accès sans restriction (LGSU art. 22 al. 3)',
        workflowId: proxyWorkflowId(input.proxyId),
        canton: input.canton,
        commune: null,
        proxyId: input.proxyId,
      },
      (view) => {
        pending = view;
      },
      () => completion !== undefined || revoked !== undefined,
    );
    const at = new Date(Date.now()).toISOString();
    if (!completion) {
      // Revoked in writing before the written proxy was recorded: the task closes with it.
      await acts.completeTaskRecord({ taskId: writtenProxyTaskId(input.proxyId), by: 'system', outcome: 'withdrawn', at });
      pending = null;
      return endRevoked();
    }
    const decided = completion;
    await acts.completeTaskRecord({ ...decided, at });
    pending = null;
    if (decided.outcome === 'refuse') {
      await enter('refused', decided.by, { role: 'chancellery' });
      // The reasons go from the task's row: none in this history in clear.
      await acts.sendProxyMail({ proxyId: input.proxyId, template: 'written-proxy-refused' });
      return state();
    }
    await enter('active', decided.by, { role: 'chancellery' });
    return inForce();
  }
  await enter('active', accepted!.by);
  return inForce();
}
