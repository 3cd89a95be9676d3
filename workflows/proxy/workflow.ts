// A proxy (Art. 9.1-9.3): offered by the represented person to another identified user, for
// named services; accepted by him with his own identity, or lapsed after the profile's days;
// active until its last day, or revoked at any time with immediate effect. Each change is
// written to its row before the Update answers: the API checks the row at every act.
import { condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { endOfLocalDay } from '../../domain/days';
import { profiles } from '../../domain/profiles';
import { activitiesWith, markState } from '../common';
import { GvsCanton, GvsProcess } from '../search-attributes';
import { reject } from '../task/human-task';
import { acceptProxyUpdate, PROXY_PROCESS, ProxyRejections, proxyStateQuery, revokeProxyUpdate } from './definitions';
import type { ProxyInput, ProxyState, ProxyStatus } from './types';

const acts = activitiesWith({ startToCloseTimeout: '30 seconds', initialInterval: '1 second', maximumInterval: '5 minutes' });

export async function proxy(input: ProxyInput): Promise<ProxyState> {
  const profile = profiles[input.canton];
  let status: ProxyStatus = 'offered';
  let accepted: { by: string } | undefined;
  let revoked: { by: string } | undefined;
  const lapsesAt = new Date(new Date(input.offeredAt).getTime() + profile.representation.proxyAcceptanceDays * 86_400_000);
  const expiresAt = input.until ? endOfLocalDay(input.until, profile.timeZone) : undefined;

  const state = (): ProxyState => ({
    proxyId: input.proxyId,
    status,
    lapsesAt: status === 'offered' ? lapsesAt.toISOString() : undefined,
    expiresAt: status === 'active' ? expiresAt?.toISOString() : undefined,
  });
  const enter = async (next: ProxyStatus, by?: string) => {
    await acts.recordProxyState({ proxyId: input.proxyId, status: next, by });
    status = next;
    markState(next, next === 'offered' ? 'representative' : 'none');
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
  setHandler(
    revokeProxyUpdate,
    async (r) => {
      revoked = r;
      await condition(() => status === 'revoked');
      return state();
    },
    {
      validator: (_r: { by: string }) => {
        if (status !== 'offered' && status !== 'active') throw reject(ProxyRejections.ended, `this proxy is ${status} already`);
        if (revoked) throw reject(ProxyRejections.ended, 'this proxy is being revoked');
      },
    },
  );

  upsertSearchAttributes([
    { key: GvsProcess, value: PROXY_PROCESS },
    { key: GvsCanton, value: input.canton },
  ]);
  markState('offered', 'representative');

  // Offered: accepted, revoked, or lapsed at the end of the acceptance period.
  const answered = await condition(() => accepted !== undefined || revoked !== undefined, Math.max(1, lapsesAt.getTime() - Date.now()));
  if (!answered) {
    await enter('lapsed');
    return state();
  }
  if (revoked) {
    await enter('revoked', revoked.by);
    return state();
  }
  await enter('active', accepted!.by);

  // Active: until revoked, or until its last day has passed.
  if (!expiresAt) await condition(() => revoked !== undefined);
  else if (!(await condition(() => revoked !== undefined, Math.max(1, expiresAt.getTime() - Date.now())))) {
    await enter('expired');
    return state();
  }
  await enter('revoked', revoked!.by);
  return state();
}
