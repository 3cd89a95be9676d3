// The proxy workflow on the time-skipping server: a proxy not accepted lapses after the
// profile's days; an accepted one expires after its last day, or ends when revoked; the row
// the API checks says so before each Update answers.
import { randomUUID } from 'node:crypto';
import { localDay, addDays } from '../../domain/days';
import { profiles } from '../../domain/profiles';
import { acceptProxyUpdate, proxyStateQuery, proxyWorkflowId, revokeProxyUpdate } from '../../workflows/proxy/definitions';
import type { proxy } from '../../workflows/proxy/workflow';
import { recordHistory } from '../support/histories';
import { startTimeSkippingSuite, type TimeSkippingSuite } from '../support/time-skipping';

let suite: TimeSkippingSuite;
beforeAll(async () => {
  suite = await startTimeSkippingSuite();
});
afterAll(async () => {
  await suite?.stop();
});

async function offered(until?: string) {
  const proxyId = randomUUID();
  const offeredAt = new Date(await suite.env.currentTimeMs());
  await suite.db.proxy.create({
    data: {
      id: proxyId,
      canton: 'JU',
      grantorSub: `g-${proxyId}`,
      representativeSub: `r-${proxyId}`,
      services: ['library'],
      until,
      status: 'offered',
      offeredAt,
    },
  });
  const handle = await suite.env.client.workflow.start<typeof proxy>('proxy', {
    taskQueue: suite.taskQueue,
    workflowId: proxyWorkflowId(proxyId),
    args: [{ proxyId, canton: 'JU', offeredAt: offeredAt.toISOString(), until }],
  });
  const row = () => suite.db.proxy.findUniqueOrThrow({ where: { id: proxyId } });
  return { proxyId, handle, row };
}

it(`lapses when not accepted within ${profiles.JU.representation.proxyAcceptanceDays} days, and cannot be accepted then`, async () => {
  const p = await offered();
  await suite.env.sleep(`${profiles.JU.representation.proxyAcceptanceDays - 1} days`);
  expect((await p.handle.query(proxyStateQuery)).status).toBe('offered');
  await suite.env.sleep('2 days');
  expect(await p.handle.result()).toMatchObject({ status: 'lapsed' });
  expect(await p.row()).toMatchObject({ status: 'lapsed', endedAt: expect.any(Date), acceptedAt: null });
  await expect(p.handle.executeUpdate(acceptProxyUpdate, { args: [{ by: 'representative' }] })).rejects.toThrow();
});

it('is active once accepted, and expires after its last day', async () => {
  const now = new Date(await suite.env.currentTimeMs());
  const until = addDays(localDay(now, profiles.JU.timeZone), 10);
  const p = await offered(until);
  expect(await p.handle.executeUpdate(acceptProxyUpdate, { args: [{ by: 'representative' }] })).toMatchObject({
    status: 'active',
    expiresAt: expect.any(String),
  });
  expect(await p.row()).toMatchObject({ status: 'active', acceptedAt: expect.any(Date) });
  await suite.env.sleep('9 days');
  expect((await p.handle.query(proxyStateQuery)).status).toBe('active');
  await suite.env.sleep('3 days');
  expect(await p.handle.result()).toMatchObject({ status: 'expired' });
  expect(await p.row()).toMatchObject({ status: 'expired' });
  await recordHistory('proxy-accepted-expired', p.handle);
});

it('ends at once when revoked: the row says revoked when the Update answers; a second acceptance is refused', async () => {
  const p = await offered();
  await p.handle.executeUpdate(acceptProxyUpdate, { args: [{ by: 'representative' }] });
  await expect(p.handle.executeUpdate(acceptProxyUpdate, { args: [{ by: 'representative' }] })).rejects.toMatchObject({
    cause: expect.objectContaining({ type: 'ProxyNotOffered' }),
  });
  expect(await p.handle.executeUpdate(revokeProxyUpdate, { args: [{ by: 'grantor' }] })).toMatchObject({ status: 'revoked' });
  expect(await p.row()).toMatchObject({ status: 'revoked', endedAt: expect.any(Date) });
  expect(await suite.db.auditLog.findFirst({ where: { recordId: p.proxyId, action: 'proxy.revoked' } })).toMatchObject({ actorSub: 'grantor' });
});
