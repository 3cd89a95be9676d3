// Representation through the Chancellery on the time-skipping server: an NE unrestricted
// proxy waits for the written, legalised proxy (recorded or refused) and is revoked only in
// writing (LGSU Art. 22 al. 3-4); a legal representative of a minor gets a standing proxy that
// ends, by its timer, at the end of the day before her majority (Art. 9.5); a refusal is mailed
// to him with its reasons.
import { randomUUID } from 'node:crypto';
import { addDays, addMonths, localDay, toOrdinal } from '../../domain/days';
import { profiles } from '../../domain/profiles';
import { claimTaskUpdate, completeTaskUpdate } from '../../workflows/task/definitions';
import {
  acceptProxyUpdate,
  proxyStateQuery,
  proxyWorkflowId,
  revokeProxyUpdate,
  writtenProxyTaskId,
  writtenRevocationUpdate,
} from '../../workflows/proxy/definitions';
import type { proxy } from '../../workflows/proxy/workflow';
import { representationStateQuery, representationTaskId, representationWorkflowId, representedSubOf } from '../../workflows/representation/definitions';
import type { representationContract } from '../../workflows/representation/workflow';
import { testPeople } from '../support/applications';
import { insertContract } from '../support/contracts';
import { recordHistory } from '../support/histories';
import { waitFor } from '../support/stack';
import { startTimeSkippingSuite, type TimeSkippingSuite } from '../support/time-skipping';
import { rejection } from '../support/updates';

// A minor who comes of age in 40 days (from the real clock: the test server starts at it).
const today = localDay(new Date(), profiles.JU.timeZone);
const nearlyOfAge = addDays(addMonths(today, -12 * profiles.JU.onboarding.majorityAge), 40);
const people = testPeople({ nearlyOfAge: { firstName: 'Presque', birthDate: nearlyOfAge, commune: 'Delémont' } });

let suite: TimeSkippingSuite;
beforeAll(async () => {
  suite = await startTimeSkippingSuite({ fixturePath: people.fixturePath });
});
afterAll(async () => {
  await suite?.stop();
});

/** An NE proxy for every service (none named), offered by a user of the counter to another. */
async function unrestrictedNeProxy() {
  const grantor = await insertContract(suite.db, { canton: 'NE' });
  const representative = await insertContract(suite.db, { canton: 'NE' });
  const proxyId = randomUUID();
  const offeredAt = new Date(await suite.env.currentTimeMs());
  await suite.db.proxy.create({
    data: {
      id: proxyId,
      canton: 'NE',
      grantorSub: grantor.sub,
      representativeSub: representative.sub,
      services: [],
      status: 'offered',
      offeredAt,
      form: 'written-legalised',
    },
  });
  const handle = await suite.env.client.workflow.start<typeof proxy>('proxy', {
    taskQueue: suite.taskQueue,
    workflowId: proxyWorkflowId(proxyId),
    args: [{ proxyId, canton: 'NE', offeredAt: offeredAt.toISOString(), unrestricted: true }],
  });
  const row = () => suite.db.proxy.findUniqueOrThrow({ where: { id: proxyId } });
  const taskId = writtenProxyTaskId(proxyId);
  return { proxyId, handle, row, taskId, grantor, representative };
}

/**
 * Waits until the workflow has closed, without the client's result(): awaiting a result unlocks
 * time skipping, and the test server then skips years ahead (to the default run timeout).
 */
const closed = (handle: { describe(): Promise<{ status: { name: string } }> }) =>
  waitFor(
    () => handle.describe(),
    (d) => d.status.name !== 'RUNNING',
  );

const taskOpen = (taskId: string) =>
  waitFor(
    () => suite.db.task.findUnique({ where: { id: taskId } }),
    (t) => t?.status === 'open',
  );

describe('NE: an unrestricted proxy needs the written proxy with a legalised signature (LGSU Art. 22 al. 3-4)', () => {
  it('waits, once accepted, for the Chancellery to record the written proxy; then it is active and revoked only in writing', async () => {
    const p = await unrestrictedNeProxy();
    expect(await p.handle.executeUpdate(acceptProxyUpdate, { args: [{ by: p.representative.sub }] })).toMatchObject({ status: 'awaiting-written-proxy' });
    expect(await p.row()).toMatchObject({ status: 'awaiting-written-proxy', acceptedAt: expect.any(Date) });
    const task = await taskOpen(p.taskId);
    expect(task).toMatchObject({ kind: 'written-proxy', proxyId: p.proxyId, canton: 'NE' });
    // Not on the counter any more: the written proxy may be on its way.
    expect(await rejection(p.handle.executeUpdate(revokeProxyUpdate, { args: [{ by: p.grantor.sub }] }))).toBe('ProxyRevokedInWritingOnly');
    // A reminder goes out while nobody acts; the proxy keeps waiting.
    await suite.env.sleep(`${profiles.NE.reminders.taskReminderDays + 1} days`);
    expect((await p.handle.query(proxyStateQuery)).status).toBe('awaiting-written-proxy');

    await p.handle.executeUpdate(claimTaskUpdate, { args: [{ taskId: p.taskId, by: 'staff-ne' }] });
    expect(
      await rejection(p.handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: p.taskId, by: 'staff-ne', outcome: 'approve', justification: 'ok' }] })),
    ).toBe('CompletionIncomplete');
    expect(
      await p.handle.executeUpdate(completeTaskUpdate, {
        args: [
          { taskId: p.taskId, by: 'staff-ne', outcome: 'record', justification: 'procuration écrite du 3.12., signature légalisée par le notaire, vérifiée' },
        ],
      }),
    ).toMatchObject({ status: 'active' });
    expect(await p.row()).toMatchObject({ status: 'active' });
    expect(await suite.db.task.findUniqueOrThrow({ where: { id: p.taskId } })).toMatchObject({
      status: 'completed',
      outcome: 'record',
      completedBy: 'staff-ne',
    });
    expect(await rejection(p.handle.executeUpdate(revokeProxyUpdate, { args: [{ by: p.grantor.sub }] }))).toBe('ProxyRevokedInWritingOnly');

    const receivedOn = localDay(new Date(await suite.env.currentTimeMs()), profiles.NE.timeZone);
    expect(await p.handle.executeUpdate(writtenRevocationUpdate, { args: [{ by: 'staff-ne', receivedOn, from: 'representative' }] })).toMatchObject({
      status: 'revoked',
    });
    expect(await p.row()).toMatchObject({
      status: 'revoked',
      endedAt: expect.any(Date),
      writtenRevocation: { receivedOn, from: 'representative', recordedBy: 'staff-ne' },
    });
    expect(await suite.db.auditLog.findFirst({ where: { recordId: p.proxyId, action: 'proxy.revoked.in-writing' } })).toMatchObject({
      actorRole: 'chancellery',
      actorSub: 'staff-ne',
    });
    expect((await closed(p.handle)).status.name).toBe('COMPLETED');
    await recordHistory('proxy-ne-written-recorded-revoked', p.handle);
  });

  it('is refused when the Chancellery cannot record the written proxy, and the grantor hears why', async () => {
    const p = await unrestrictedNeProxy();
    await p.handle.executeUpdate(acceptProxyUpdate, { args: [{ by: p.representative.sub }] });
    await taskOpen(p.taskId);
    await p.handle.executeUpdate(claimTaskUpdate, { args: [{ taskId: p.taskId, by: 'staff-ne' }] });
    expect(
      await p.handle.executeUpdate(completeTaskUpdate, {
        args: [{ taskId: p.taskId, by: 'staff-ne', outcome: 'refuse', reasons: ["la signature n'est pas légalisée"] }],
      }),
    ).toMatchObject({ status: 'refused' });
    expect(await p.row()).toMatchObject({ status: 'refused', endedAt: expect.any(Date) });
    await closed(p.handle);
    const mail = await suite.adapters.mail.waitFor((m) => m.to.includes(p.grantor.email) && m.subject.includes(p.proxyId));
    expect(mail.text).toContain("la signature n'est pas légalisée");
    expect(mail.text).toContain('LGSU');
  });

  it('closes its task when revoked in writing before the written proxy was recorded', async () => {
    const p = await unrestrictedNeProxy();
    await p.handle.executeUpdate(acceptProxyUpdate, { args: [{ by: p.representative.sub }] });
    await taskOpen(p.taskId);
    await p.handle.executeUpdate(writtenRevocationUpdate, { args: [{ by: 'staff-ne', receivedOn: '2026-12-01', from: 'grantor' }] });
    expect(await p.row()).toMatchObject({ status: 'revoked' });
    await closed(p.handle);
    expect(await suite.db.task.findUniqueOrThrow({ where: { id: p.taskId } })).toMatchObject({ status: 'completed', outcome: 'withdrawn' });
  });
});

/** A representative (a user of the counter) and his request, as the API writes it. */
async function requested(
  kind: 'legal-representation' | 'written-proxy-contract',
  who: keyof typeof people.people,
  extra: { basis?: 'parental-authority' | 'protection-measure'; services?: string[] } = {},
) {
  const representative = await insertContract(suite.db, { canton: 'JU' });
  const person = people.people[who]!;
  const requestId = randomUUID();
  await suite.db.representationRequest.create({
    data: {
      id: requestId,
      kind,
      canton: 'JU',
      status: 'checking',
      representativeSub: representative.sub,
      basis: extra.basis ?? null,
      services: extra.services ?? [],
      decisions: kind === 'legal-representation',
      avsNumber: person.avsNumber,
      lastName: person.lastName,
      firstName: person.firstName,
      birthDate: person.birthDate,
      street: 'Rue du Test 1',
      postCode: '2800',
      locality: 'Delémont',
      commune: person.commune,
      refusalReasons: [],
      submittedAt: new Date(await suite.env.currentTimeMs()),
    },
  });
  const handle = await suite.env.client.workflow.start<typeof representationContract>('representationContract', {
    taskQueue: suite.taskQueue,
    workflowId: representationWorkflowId(requestId),
    args: [{ requestId, canton: 'JU', kind, basis: extra.basis, commune: person.commune }],
  });
  const taskId = representationTaskId(requestId, kind);
  const decide = async (c: { outcome: 'approve' | 'record'; justification: string } | { outcome: 'refuse'; reasons: string[] }) => {
    await taskOpen(taskId);
    await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId, by: 'staff-ju' }] });
    return handle.executeUpdate(completeTaskUpdate, { args: [{ taskId, by: 'staff-ju', ...c }] });
  };
  return { requestId, handle, taskId, representative, person, decide };
}

describe('a legal representative contracts for the person he represents (Art. 9.5)', () => {
  it('gives the parent of a minor a standing proxy for everything, which ends at the end of the day before her majority', async () => {
    const r = await requested('legal-representation', 'nearlyOfAge', { basis: 'parental-authority' });
    await taskOpen(r.taskId);
    // The reviewer reads what the registers said: a minor, the basis confirmed.
    const row = await suite.db.representationRequest.findUniqueOrThrow({ where: { id: r.requestId } });
    expect(row).toMatchObject({
      status: 'awaiting-review',
      checks: { found: true, minor: true, basisConfirmed: true, lastDay: addDays(addMonths(nearlyOfAge, 12 * 18), -1) },
    });
    expect(await r.handle.query(representationStateQuery)).toMatchObject({ status: 'awaiting-review', pending: { kind: 'legal-representation' } });

    expect(await r.decide({ outcome: 'approve', justification: 'acte de naissance et autorité parentale vérifiés' })).toMatchObject({ status: 'approved' });
    const sub = representedSubOf(r.requestId);
    const user = await suite.db.registeredUser.findUniqueOrThrow({ where: { sub } });
    expect(user).toMatchObject({ avsNumber: r.person.avsNumber, email: r.representative.email, applicationId: r.requestId });
    expect(await suite.db.contract.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({
      status: 'active',
      identityProofRef: `legal-representation:${r.taskId}`,
    });
    const lastDay = addDays(addMonths(nearlyOfAge, 12 * 18), -1);
    const proxyRow = () => suite.db.proxy.findUniqueOrThrow({ where: { id: r.requestId } });
    expect(await proxyRow()).toMatchObject({
      grantorSub: sub,
      representativeSub: r.representative.sub,
      services: [],
      decisions: true,
      until: lastDay,
      status: 'active',
      form: 'legal-representation',
    });
    const mail = await suite.adapters.mail.waitFor((m) => m.to.includes(r.representative.email) && m.text.includes(sub));
    expect(mail.text).toContain('veille de sa majorité');

    // The standing proxy: its own process, active from the start; its timer ends it.
    const proxyHandle = suite.env.client.workflow.getHandle(proxyWorkflowId(r.requestId));
    expect(await proxyHandle.query(proxyStateQuery)).toMatchObject({ status: 'active', expiresAt: expect.any(String) });
    // Still hers on her last day as a minor; ended the next morning.
    const daysLeft = toOrdinal(lastDay) - toOrdinal(localDay(new Date(await suite.env.currentTimeMs()), profiles.JU.timeZone));
    await suite.env.sleep(`${daysLeft} days`);
    expect(localDay(new Date(await suite.env.currentTimeMs()), profiles.JU.timeZone)).toBe(lastDay);
    expect((await proxyHandle.query(proxyStateQuery)).status).toBe('active');
    await suite.env.sleep('1 day');
    expect(await proxyHandle.result()).toMatchObject({ status: 'expired' });
    expect(await proxyRow()).toMatchObject({ status: 'expired', endedAt: expect.any(Date) });
    await recordHistory('representation-legal-approved', r.handle);
    await recordHistory('proxy-standing-expired-at-majority', proxyHandle);
  });

  it('mails the refusal and its reasons to the representative; nobody is registered', async () => {
    const r = await requested('legal-representation', 'adult', { basis: 'protection-measure' });
    await taskOpen(r.taskId);
    expect((await suite.db.representationRequest.findUniqueOrThrow({ where: { id: r.requestId } })).checks).toMatchObject({
      protectionMeasure: false,
      basisConfirmed: false,
    });
    expect(await r.decide({ outcome: 'refuse', reasons: ["aucune mesure de protection n'est inscrite"] })).toMatchObject({ status: 'refused' });
    expect(await suite.db.representationRequest.findUniqueOrThrow({ where: { id: r.requestId } })).toMatchObject({
      status: 'refused',
      refusalReasons: ["aucune mesure de protection n'est inscrite"],
    });
    expect(await suite.db.registeredUser.findUnique({ where: { avsNumber: r.person.avsNumber } })).toBeNull();
    expect(await suite.db.proxy.findUnique({ where: { id: r.requestId } })).toBeNull();
    const mail = await suite.adapters.mail.waitFor((m) => m.to.includes(r.representative.email) && m.subject.includes(r.requestId));
    expect(mail.text).toContain("aucune mesure de protection n'est inscrite");
  });
});

describe('the written proxy of a person without access (Art. 9.4)', () => {
  it('records the paper contract: the person is registered and the representative may act for the services named', async () => {
    const r = await requested('written-proxy-contract', 'adult', { services: ['library'] });
    expect(await r.decide({ outcome: 'record', justification: 'contrat écrit du 2.12. reçu, signatures vérifiées' })).toMatchObject({ status: 'approved' });
    const sub = representedSubOf(r.requestId);
    const user = await suite.db.registeredUser.findUniqueOrThrow({ where: { sub } });
    expect(await suite.db.contract.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({ identityProofRef: `written:${r.taskId}` });
    expect(await suite.db.proxy.findUniqueOrThrow({ where: { id: r.requestId } })).toMatchObject({
      services: ['library'],
      decisions: false,
      until: null,
      status: 'active',
      form: 'written-contract',
    });
  });

  it('refuses when the person entered the user register in the meantime: one person, one subject', async () => {
    const r = await requested('written-proxy-contract', 'nonResident', { services: ['library'] });
    await taskOpen(r.taskId);
    await suite.db.registeredUser.create({
      data: {
        id: `user-${randomUUID()}`,
        sub: `citizen-${randomUUID()}`,
        avsNumber: r.person.avsNumber,
        lastName: 'X',
        firstName: 'Y',
        email: 'x@example.ch',
        street: 's',
        postCode: '2800',
        locality: 'l',
        commune: 'c',
        birthDate: '1970-01-15',
        canton: 'JU',
        applicationId: randomUUID(),
      },
    });
    expect(await r.decide({ outcome: 'record', justification: 'reçu' })).toMatchObject({
      status: 'refused',
      refusalReasons: [expect.stringContaining('déjà inscrite')],
    });
  });
});
