// Every path of serving a decision, on the time-skipping server: the 10-day window, the
// registered letter, delivery and deemed delivery, a late opening, Neuchâtel's rules, and
// the unit's webhook — against real PostgreSQL, SMTP and the fake postal gateway.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { addDays, localDay } from '../../domain/days';
import { appealPeriod, electronicServiceWindow, endOfLocalDay } from '../../domain/legal-calendar';
import { profiles } from '../../domain/profiles';
import {
  decisionServiceWorkflowId,
  openUpdate,
  postalEventSignal,
  postalTrackingTaskId,
  serviceStateQuery,
} from '../../workflows/decision-service/definitions';
import { claimTaskUpdate, completeTaskUpdate } from '../../workflows/task/definitions';
import type { DecisionServiceState } from '../../workflows/decision-service/types';
import type { decisionService } from '../../workflows/decision-service/workflow';
import { grantConsent, insertDecision, insertUnit, insertUser } from '../support/decisions';
import { formatSwissDate } from '../../activities/mail-templates';
import { recordHistory } from '../support/histories';
import { pdfText } from '../support/pdf';
import { REFUSED_ADDRESS } from '../support/stack';
import { startTimeSkippingSuite, type TimeSkippingSuite } from '../support/time-skipping';

const JU = profiles.JU;
let suite: TimeSkippingSuite;
let env: TimeSkippingSuite['env'];
let db: TimeSkippingSuite['db'];
let adapters: TimeSkippingSuite['adapters'];
let taskQueue: string;

// A unit's webhook receiver that checks the signature and fails the first delivery.
const SECRET = 'whsec-test-0123456789';
const received: Array<{ eventId: string; body: { type: string; decision: { id: string; serviceRule: string } }; valid: boolean }> = [];
let failNext = 1;
let hook: Server;
let hookUrl: string;

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const sig = String(req.headers['guichet-signature']);
      const [t, v1] = sig.split(',').map((p) => p.split('=')[1]);
      const valid = createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex') === v1;
      if (failNext > 0) {
        failNext -= 1;
        res.writeHead(503).end();
        return;
      }
      received.push({ eventId: String(req.headers['guichet-event-id']), body: JSON.parse(body), valid });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hooks/guichet`;

  suite = await startTimeSkippingSuite();
  ({ env, db, adapters, taskQueue } = suite);
});
afterAll(async () => {
  await suite?.stop();
  await new Promise((r) => hook?.close(r));
});

async function serve(opts: { consent: boolean; canton?: 'JU' | 'NE'; webhook?: boolean; provisionalMeasure?: boolean }) {
  const user = await insertUser(db);
  const unitId = await insertUnit(db, opts.webhook ? { webhookUrl: hookUrl, webhookSecret: SECRET } : {});
  if (opts.consent) await grantConsent(db, user.sub, unitId);
  const decisionId = await insertDecision(db, { unitId, recipientSub: user.sub, canton: opts.canton, provisionalMeasure: opts.provisionalMeasure });
  const handle = await env.client.workflow.start<typeof decisionService>('decisionService', {
    taskQueue,
    workflowId: decisionServiceWorkflowId(decisionId),
    args: [{ decisionId, canton: opts.canton ?? 'JU', unitId, remedyDays: 30, provisionalMeasure: opts.provisionalMeasure ?? false }],
  });
  return { decisionId, handle, user, unitId };
}

async function waitForRow<T>(probe: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const row = await probe();
    if (row) return row;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('row not written');
}

async function until(handle: WorkflowHandle, done: (s: DecisionServiceState) => boolean) {
  for (let i = 0; i < 200; i++) {
    const s = await handle.query(serviceStateQuery);
    if (done(s)) return s;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`state not reached: ${JSON.stringify(await handle.query(serviceStateQuery))}`);
}

const today = async () => localDay(new Date(await env.currentTimeMs()), JU.timeZone);

describe('served through the counter (Art. 16.3-16.4)', () => {
  it('opened inside the window: valid service, the remedy period starts the next day; the unit is told once, signed', async () => {
    const { decisionId, handle, user } = await serve({ consent: true, webhook: true });
    const waiting = await until(handle, (s) => s.state === 'awaiting-opening');
    expect(waiting.windowLastDay).toBe(electronicServiceWindow(new Date(waiting.communicatedAt!), JU).lastDay);
    expect(waiting.windowLastDay).toBe(addDays(localDay(new Date(waiting.communicatedAt!), JU.timeZone), 10));
    const alert = await adapters.mail.waitFor((m) => m.to.includes(user.email));
    expect(alert.text).toContain('art. 16 al. 4');

    await env.sleep('3 days');
    const opened = await handle.executeUpdate(openUpdate);
    const openedDay = await today();
    expect(opened).toMatchObject({ state: 'served', rule: 'opened in time', triggerDay: openedDay, remedy: appealPeriod(openedDay, 30, JU) });
    expect(await db.decision.findUniqueOrThrow({ where: { id: decisionId } })).toMatchObject({
      state: 'served',
      serviceRule: 'opened in time',
      trackingNumber: null,
    });
    expect(adapters.post.letters().filter((l) => l.letterId === decisionId)).toHaveLength(0);

    await handle.result();
    await env.sleep('2 minutes'); // the webhook's first attempt failed: its retry
    const events = received.filter((r) => r.body.decision.id === decisionId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      eventId: `${decisionId}:decision.served`,
      valid: true,
      body: { type: 'decision.served', decision: { serviceRule: 'opened in time' } },
    });
    expect((await db.webhookDelivery.findUniqueOrThrow({ where: { eventId: `${decisionId}:decision.served` } })).attempts).toBe(2);
    await recordHistory('decision-opened-in-time', handle);
  });

  it('an opening at 23:59:59 local on the last day still counts', async () => {
    const { handle } = await serve({ consent: true });
    const s = await until(handle, (x) => x.state === 'awaiting-opening');
    await env.sleep(endOfLocalDay(s.windowLastDay!, JU.timeZone).getTime() - 1000 - (await env.currentTimeMs()));
    const opened = await handle.executeUpdate(openUpdate);
    expect(opened).toMatchObject({ rule: 'opened in time', triggerDay: s.windowLastDay });
  });
});

describe('not opened in time: a second service by registered post (Art. 16.5)', () => {
  it('sends a registered letter when the window is over; delivery sets the remedy period; a late opening changes nothing', async () => {
    const { decisionId, handle } = await serve({ consent: true });
    const s = await until(handle, (x) => x.state === 'awaiting-opening');
    await env.sleep(endOfLocalDay(s.windowLastDay!, JU.timeZone).getTime() + 1000 - (await env.currentTimeMs()));
    await until(handle, (x) => x.state === 'awaiting-postal-delivery');
    const letter = adapters.post.letters().find((l) => l.letterId === decisionId);
    expect(letter).toBeDefined();
    const row = await db.decision.findUniqueOrThrow({ where: { id: decisionId } });
    expect(row.trackingNumber).toBe(letter!.trackingNumber);
    // The second service (Art. 16.5), in its own words, with this decision's real dates; then the decision.
    const pdf = await pdfText(adapters.post.pdfOf(decisionId)!);
    expect(pdf.pages).toBe(2);
    expect(pdf.pageTexts[0]).toContain(
      `Le ${formatSwissDate(localDay(row.communicatedAt!, JU.timeZone))}, la décision désignée ci-dessous a été mise à votre disposition dans le guichet virtuel sécurisé.`,
    );
    expect(pdf.pageTexts[0]).toContain(`au plus tard le ${formatSwissDate(s.windowLastDay!)}, dernier jour du délai de consultation`);
    expect(pdf.pageTexts[0]).toContain('notifiée une seconde fois');
    expect(pdf.pageTexts[1]).toContain('cision de test'); // the sample's own text (its font has no é)

    const late = await handle.executeUpdate(openUpdate);
    expect(late.lateOpenedAt).toBeDefined();
    expect(late.state).toBe('awaiting-postal-delivery');

    const deliveredOn = addDays(s.windowLastDay!, 3);
    await handle.signal(postalEventSignal, { type: 'delivered', occurredOn: deliveredOn });
    expect(await handle.result()).toMatchObject({ rule: 'delivered by post', triggerDay: deliveredOn, remedy: appealPeriod(deliveredOn, 30, JU) });
    expect(await db.decision.findUniqueOrThrow({ where: { id: decisionId } })).toMatchObject({
      serviceRule: 'delivered by post',
      lateOpenedAt: expect.any(Date),
      openedAt: null,
    });
    await recordHistory('decision-delivered-by-post', handle);
  });

  it('a notice left and never collected: deemed delivered on the 7th day after, once that day is over', async () => {
    const { handle } = await serve({ consent: false });
    await until(handle, (x) => x.state === 'awaiting-postal-delivery');
    const noticeOn = await today();
    await handle.signal(postalEventSignal, { type: 'notice-left', occurredOn: noticeOn });
    const deemed = addDays(noticeOn, 7);
    expect((await until(handle, (x) => x.deemedDeliveryDate !== undefined)).deemedDeliveryDate).toBe(deemed);
    await env.sleep(endOfLocalDay(deemed, JU.timeZone).getTime() + 1000 - (await env.currentTimeMs()));
    expect(await handle.result()).toMatchObject({ rule: 'deemed delivery', triggerDay: deemed, remedy: appealPeriod(deemed, 30, JU) });
    await recordHistory('decision-deemed-delivery', handle);
  });

  it('a notice left, then collected: the collection day counts', async () => {
    const { handle } = await serve({ consent: false });
    await until(handle, (x) => x.state === 'awaiting-postal-delivery');
    const noticeOn = await today();
    await handle.signal(postalEventSignal, { type: 'notice-left', occurredOn: noticeOn });
    await handle.signal(postalEventSignal, { type: 'delivered', occurredOn: addDays(noticeOn, 4) });
    expect(await handle.result()).toMatchObject({ rule: 'delivered by post', triggerDay: addDays(noticeOn, 4) });
  });

  it('a tracking event that cannot be true is recorded as rejected; the process never fails on it and goes on', async () => {
    const { handle } = await serve({ consent: false });
    await until(handle, (x) => x.state === 'awaiting-postal-delivery');
    await handle.signal(postalEventSignal, { type: 'delivered', occurredOn: '2026-02-30' });
    await handle.signal(postalEventSignal, { type: 'notice-left', occurredOn: '2001-01-01' });
    await handle.signal(postalEventSignal, { type: 'lost' as 'delivered', occurredOn: await today() });
    const s = await until(handle, (x) => (x.rejectedPostalEvents ?? []).length === 3);
    expect(s.rejectedPostalEvents!.map((e) => e.problem)).toEqual(['not a calendar day', 'before the letter was posted', 'unknown event type']);
    expect(s).toMatchObject({ state: 'awaiting-postal-delivery', postalEvents: [] });
    const deliveredOn = await today();
    await handle.signal(postalEventSignal, { type: 'delivered', occurredOn: deliveredOn });
    expect(await handle.result()).toMatchObject({ rule: 'delivered by post', triggerDay: deliveredOn });
  });

  it("a letter with no tracking event after 10 days: a task in the unit's inbox, acknowledged by the unit; tracking that arrives still serves", async () => {
    const { decisionId, handle, unitId } = await serve({ consent: false });
    await until(handle, (x) => x.state === 'awaiting-postal-delivery');
    await env.sleep(`${JU.postal.trackingTaskDays - 1} days`);
    expect(await db.task.findUnique({ where: { id: postalTrackingTaskId(decisionId) } })).toBeNull();
    await env.sleep('2 days');
    const task = await waitForRow(() => db.task.findUnique({ where: { id: postalTrackingTaskId(decisionId) } }));
    expect(task).toMatchObject({ kind: 'postal-tracking', status: 'open', unitId, decisionId });
    const taskId = task.id;
    await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId, by: 'unit-clerk' }] });
    await handle.executeUpdate(completeTaskUpdate, {
      args: [{ taskId, by: 'unit-clerk', outcome: 'acknowledge', justification: 'La poste confirme un avis déposé ; suivi demandé.' }],
    });
    expect(await db.task.findUniqueOrThrow({ where: { id: taskId } })).toMatchObject({
      status: 'completed',
      outcome: 'acknowledge',
      completedBy: 'unit-clerk',
    });
    const deliveredOn = await today();
    await handle.signal(postalEventSignal, { type: 'delivered', occurredOn: deliveredOn });
    expect(await handle.result()).toMatchObject({ rule: 'delivered by post', triggerDay: deliveredOn });
    await recordHistory('decision-postal-tracking-acknowledged', handle);
  });

  it("the tracking event that arrives while the unit's task is open closes the task: nothing is left to ask", async () => {
    const { decisionId, handle } = await serve({ consent: false });
    await until(handle, (x) => x.state === 'awaiting-postal-delivery');
    await env.sleep(`${JU.postal.trackingTaskDays + 1} days`);
    await waitForRow(() => db.task.findUnique({ where: { id: postalTrackingTaskId(decisionId) } }));
    await handle.signal(postalEventSignal, { type: 'delivered', occurredOn: await today() });
    expect(await handle.result()).toMatchObject({ rule: 'delivered by post' });
    expect(await db.task.findUniqueOrThrow({ where: { id: postalTrackingTaskId(decisionId) } })).toMatchObject({
      status: 'completed',
      outcome: 'withdrawn',
      completedBy: 'system',
    });
  });

  it('an alert e-mail the relay refuses for good: out of the inbox, by post as a first service that says so', async () => {
    const user = await insertUser(db, `user-${Date.now()}-refused`, REFUSED_ADDRESS);
    const unitId = await insertUnit(db);
    await grantConsent(db, user.sub, unitId);
    const decisionId = await insertDecision(db, { unitId, recipientSub: user.sub });
    const handle = await env.client.workflow.start<typeof decisionService>('decisionService', {
      taskQueue,
      workflowId: decisionServiceWorkflowId(decisionId),
      args: [{ decisionId, canton: 'JU', unitId, remedyDays: 30, provisionalMeasure: false }],
    });
    const s = await until(handle, (x) => x.state === 'awaiting-postal-delivery');
    expect(s.channel).toBe('postal');
    expect(s.communicatedAt).toBeUndefined();
    const row = await db.decision.findUniqueOrThrow({ where: { id: decisionId } });
    expect(row).toMatchObject({ channel: 'postal', postalReason: 'alert-undeliverable', communicatedAt: null, consentId: expect.any(String) });
    const cover = (await pdfText(adapters.post.pdfOf(decisionId)!)).pageTexts[0]!;
    expect(cover).toContain("L'avis électronique annonçant cette décision n'a pas pu être remis à l'adresse électronique que vous avez indiquée");
    expect(cover).not.toContain('seconde');
    expect(await db.mailOutbox.findUniqueOrThrow({ where: { id: `${decisionId}:alert` } })).toMatchObject({ sentAt: null, rejectedAt: expect.any(Date) });
    expect(await db.auditLog.count({ where: { recordId: decisionId, action: 'mail.rejected.decision-available' } })).toBe(1);
    await handle.signal(postalEventSignal, { type: 'delivered', occurredOn: await today() });
    expect(await handle.result()).toMatchObject({ rule: 'delivered by post' });
  });

  it('without consent the decision goes by post at once, and is not in the inbox', async () => {
    const { decisionId, handle } = await serve({ consent: false });
    await until(handle, (x) => x.state === 'awaiting-postal-delivery');
    expect(adapters.post.letters().some((l) => l.letterId === decisionId)).toBe(true);
    const cover = (await pdfText(adapters.post.pdfOf(decisionId)!)).pageTexts[0]!;
    expect(cover).toContain("Vous n'avez pas autorisé Service de test à vous notifier");
    expect(cover).not.toContain('seconde');
    const rejected = await handle.executeUpdate(openUpdate).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((rejected as WorkflowUpdateFailedError).cause as { type?: string }).type).toBe('NotInInbox');
  });

  it('a provisional measure: the féries do not suspend its period', async () => {
    const { handle } = await serve({ consent: false, provisionalMeasure: true });
    await until(handle, (x) => x.state === 'awaiting-postal-delivery');
    // Delivered on a 20 December (inside the Christmas féries), not before the letter was posted.
    const now = await today();
    const deliveredOn = `${now.slice(0, 4)}-12-20` >= now ? `${now.slice(0, 4)}-12-20` : `${Number(now.slice(0, 4)) + 1}-12-20`;
    await handle.signal(postalEventSignal, { type: 'delivered', occurredOn: deliveredOn });
    const r = await handle.result();
    expect(r.remedy).toEqual(appealPeriod(deliveredOn, 30, JU, { provisionalMeasure: true }));
    expect(r.remedy).not.toEqual(appealPeriod(deliveredOn, 30, JU));
  });
});

describe('Neuchâtel (LPA Art. 30)', () => {
  it('unopened, the notice takes effect at the end of the 7th day: no letter', async () => {
    const { decisionId, handle } = await serve({ consent: true, canton: 'NE' });
    const s = await until(handle, (x) => x.state === 'awaiting-opening');
    expect(s.windowLastDay).toBe(addDays(localDay(new Date(s.communicatedAt!), profiles.NE.timeZone), 7));
    await env.sleep(endOfLocalDay(s.windowLastDay!, profiles.NE.timeZone).getTime() + 1000 - (await env.currentTimeMs()));
    expect(await handle.result()).toMatchObject({
      rule: 'deemed notified at the end of the electronic window',
      triggerDay: s.windowLastDay,
      remedy: appealPeriod(s.windowLastDay!, 30, profiles.NE),
    });
    expect(adapters.post.letters().some((l) => l.letterId === decisionId)).toBe(false);
  });
});
