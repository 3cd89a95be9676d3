// Use cases of the application layer with fake gateways: no Temporal server, the real
// database. What the boundary must guarantee whatever Temporal does: a postal event whose
// signal failed is delivered on the retry; one writer of a late opening; a workflow that is
// not there answers with the stored record.
import { randomUUID } from 'node:crypto';
import { accessRequestUseCases } from '../../app/access-requests';
import { assistedSessionUseCases } from '../../app/assisted-sessions';
import type { Caller } from '../../app/caller';
import { contractGate } from '../../app/contract-gate';
import { decisionUseCases } from '../../app/decisions';
import type { AccessRequestGateway } from '../../app/gateways/access-request';
import type { DecisionServiceGateway } from '../../app/gateways/decision-service';
import { WorkflowGoneError } from '../../app/gateways/temporal';
import type { Principal, Role } from '../../domain/roles';
import { createDb, type Db } from '../../infra/db';
import type { AccessRequestInput } from '../../workflows/access-request/types';
import type { PostalEventIn } from '../../workflows/decision-service/types';
import { MAIL_REJECTED, sendOnce, type Mailer } from '../../records/outbox';
import { freshAvs } from '../support/applications';
import { insertContract } from '../support/contracts';
import { insertDecision, insertUnit, insertUser } from '../support/decisions';

let db: Db;
beforeAll(() => {
  db = createDb(process.env.TEST_DATABASE_URL!);
});
afterAll(async () => {
  await db.$disconnect();
});

const caller = (role: Role, sub: string, extra: Partial<Principal> = {}): Caller => ({
  principal: { role, sub, domains: [], ...extra },
  requestId: `req-${randomUUID()}`,
});

/** The decision service's workflow as the use cases see it: signals it hears, failures on demand. */
function fakeDecisionService() {
  const heard: PostalEventIn[] = [];
  let failNext = 0;
  let gone = false;
  const gateway = {
    async postalEvent(_decisionId: string, e: PostalEventIn) {
      if (gone) throw new WorkflowGoneError('decision-service/x');
      if (failNext > 0) {
        failNext -= 1;
        throw new Error('14 UNAVAILABLE: connection refused');
      }
      heard.push(e);
    },
    async open() {
      throw new Error('a served decision is not opened through its workflow');
    },
  } as unknown as DecisionServiceGateway;
  return { gateway, heard, failOnce: () => (failNext = 1), close: () => (gone = true) };
}

async function servedDecision(o: { byPost?: boolean } = {}) {
  const user = await insertUser(db);
  const unitId = await insertUnit(db);
  const decisionId = await insertDecision(db, { unitId, recipientSub: user.sub });
  const trackingNumber = `98.${Date.now()}.${Math.floor(Math.random() * 1e6)}`;
  await db.decision.update({
    where: { id: decisionId },
    data: o.byPost
      ? { state: 'awaiting-postal-delivery', channel: 'postal', trackingNumber, letterId: decisionId }
      : {
          state: 'served',
          channel: 'electronic',
          communicatedAt: new Date(Date.now() - 20 * 86_400_000),
          windowLastDay: '2026-01-01',
          serviceRule: 'deemed notified at the end of the electronic window',
        },
  });
  return { user, unitId, decisionId, trackingNumber };
}

describe('POST /v1/postal-events, as a use case', () => {
  it('a tracking event whose signal failed is delivered on the gateway’s retry, then taken once', async () => {
    const { decisionId, trackingNumber } = await servedDecision({ byPost: true });
    const fake = fakeDecisionService();
    const decisions = decisionUseCases({ db, decisions: fake.gateway, contractAllows: contractGate(db, 'JU'), canton: 'JU' });
    const postal = caller('postal', 'gateway');
    const event = { eventId: `ev-${randomUUID()}`, trackingNumber, type: 'delivered' as const, occurredOn: '2026-11-30' };

    fake.failOnce();
    await expect(decisions.postalEvent(postal, event)).rejects.toThrow(/UNAVAILABLE/);
    // Nothing was stored as taken: the retry is not a "duplicate".
    expect(await db.postalEvent.count({ where: { id: event.eventId } })).toBe(0);

    expect(await decisions.postalEvent(postal, event)).toEqual({ eventId: event.eventId, duplicate: false });
    expect(fake.heard).toEqual([{ type: 'delivered', occurredOn: '2026-11-30', eventId: event.eventId }]);
    expect(await db.postalEvent.findUniqueOrThrow({ where: { id: event.eventId } })).toMatchObject({ decisionId, type: 'delivered', occurredOn: '2026-11-30' });

    expect(await decisions.postalEvent(postal, event)).toEqual({ eventId: event.eventId, duplicate: true });
    expect(fake.heard).toHaveLength(1);
    const audit = await db.auditLog.findMany({ where: { recordId: decisionId, action: 'postal.delivered' } });
    expect(audit).toHaveLength(1);
  });

  it('an event for a letter whose service is over is recorded, not lost and not an error', async () => {
    const { decisionId, trackingNumber } = await servedDecision({ byPost: true });
    const fake = fakeDecisionService();
    fake.close();
    const decisions = decisionUseCases({ db, decisions: fake.gateway, contractAllows: contractGate(db, 'JU'), canton: 'JU' });
    const event = { eventId: `ev-${randomUUID()}`, trackingNumber, type: 'returned-uncollected' as const, occurredOn: '2026-11-30' };
    expect(await decisions.postalEvent(caller('postal', 'gateway'), event)).toEqual({ eventId: event.eventId, duplicate: false });
    expect(await db.auditLog.count({ where: { recordId: decisionId, action: 'postal.returned-uncollected.after-service' } })).toBe(1);
  });
});

describe('a late opening (Art. 16.5)', () => {
  it('once the service is over, the recipient’s opening is recorded once, by the one writer, with the recipient as actor', async () => {
    const { user, decisionId } = await servedDecision();
    const decisions = decisionUseCases({ db, decisions: fakeDecisionService().gateway, contractAllows: contractGate(db, 'JU'), canton: 'JU' });
    const anna = caller('citizen', user.sub);

    const first = await decisions.open(anna, decisionId);
    expect(first.lateOpenedAt).not.toBeNull();
    expect(first.openedAt).toBeNull();
    const again = await decisions.open(anna, decisionId);
    expect(again.lateOpenedAt).toBe(first.lateOpenedAt);

    const late = await db.auditLog.findMany({ where: { recordId: decisionId, action: 'decision.opened-late' } });
    expect(late).toEqual([expect.objectContaining({ actorRole: 'citizen', actorSub: user.sub, requestId: expect.stringMatching(/^req-/) })]);
    // Someone else's decision is not there for another citizen.
    await expect(decisions.open(caller('citizen', 'someone-else'), decisionId)).rejects.toMatchObject({ status: 404 });
  });
});

describe('access requests, as use cases', () => {
  function fakeAccessRequests() {
    const started: AccessRequestInput[] = [];
    const gateway = {
      async start(input: AccessRequestInput) {
        if (started.some((s) => s.requestId === input.requestId)) return false;
        started.push(input);
        return true;
      },
      // The workflow is not on the server: the use case answers from the record.
      async status() {
        return null;
      },
    } as unknown as AccessRequestGateway;
    return { gateway, started };
  }

  it('a counsellor files for a citizen, the same key twice is one request, and only he and the citizen see it', async () => {
    const fake = fakeAccessRequests();
    const sessions = assistedSessionUseCases({ db, canton: 'JU' });
    const requests = accessRequestUseCases({ db, accessRequests: fake.gateway, contractAllows: contractGate(db, 'JU'), sessions, canton: 'JU' });
    const poste = caller('counsellor', `poste-${randomUUID()}`);
    const anna = await insertContract(db, { canton: 'JU' });
    const { avsNumber } = await db.registeredUser.findUniqueOrThrow({ where: { sub: anna.sub } });
    const input = { unitId: 'SPOP', service: 'building-permits', avsNumber, email: anna.email, onBehalfOf: anna.sub };
    const key = `key-${randomUUID()}`;
    await expect(requests.file(poste, input, key)).rejects.toMatchObject({ status: 403, code: 'no_assisted_session' });
    await sessions.openForCounsellor(caller('citizen', anna.sub), { counsellorSub: poste.principal.sub, postOffice: 'Poste de Delémont' });

    const filed = await requests.file(poste, input, key);
    const twice = await requests.file(poste, input, key);
    expect(twice.requestId).toBe(filed.requestId);
    expect(fake.started).toHaveLength(1);
    expect(fake.started[0]).toMatchObject({ citizenSub: input.onBehalfOf, filedBySub: poste.principal.sub, filedByRole: 'counsellor' });
    // From the stored record, as the workflow is not there.
    expect(filed).toMatchObject({ requestId: filed.requestId, state: 'awaiting-unit', unitId: 'SPOP', service: 'building-permits', remindersSent: 0 });
    expect(await db.auditLog.count({ where: { recordId: filed.requestId, action: 'access-request.filed', onBehalfOf: input.onBehalfOf } })).toBe(1);

    expect((await requests.get(caller('citizen', input.onBehalfOf), filed.requestId)).state).toBe('awaiting-unit');
    expect((await requests.get(poste, filed.requestId)).state).toBe('awaiting-unit');
    await expect(requests.get(caller('counsellor', 'poste-other'), filed.requestId)).rejects.toMatchObject({ status: 404 });
    await expect(requests.get(caller('unit', 'agent', { unitId: 'OTHER' }), filed.requestId)).rejects.toMatchObject({ status: 404 });
  });

  it('names the field when a counsellor names nobody or a citizen names himself; refuses a citizen naming someone without a proxy', async () => {
    const requests = accessRequestUseCases({ db, accessRequests: fakeAccessRequests().gateway, contractAllows: contractGate(db, 'JU'), canton: 'JU' });
    const input = { unitId: 'SPOP', service: 'x', avsNumber: freshAvs(), email: 'a@example.ch' };
    await expect(requests.file(caller('counsellor', 'poste-1'), input, null)).rejects.toMatchObject({
      status: 400,
      details: [{ path: 'onBehalfOf', issue: 'required for a counsellor' }],
    });
    // A citizen acts for someone else only by a proxy (Art. 9), and names nobody when acting for himself.
    await expect(requests.file(caller('citizen', 'anna'), { ...input, onBehalfOf: 'bruno' }, null)).rejects.toMatchObject({ status: 403, code: 'no_proxy' });
    await expect(requests.file(caller('citizen', 'anna'), { ...input, onBehalfOf: 'anna' }, null)).rejects.toMatchObject({
      status: 400,
      details: [{ path: 'onBehalfOf' }],
    });
  });
});

describe('"send this e-mail once" (records/outbox)', () => {
  it('a message the relay refuses for good is recorded, never tried again, and stops nothing; a transient failure is retried', async () => {
    let attempts = 0;
    const refusing: Mailer = {
      async send() {
        attempts += 1;
        throw Object.assign(new Error('SMTP rejected the message permanently (550)'), { type: MAIL_REJECTED });
      },
    };
    const id = `test:${randomUUID()}`;
    const mail = { id, template: 'test', recordType: 'test', recordId: id, compose: async () => ({ to: 'x@example.ch', subject: 's', text: 't' }) };
    expect(await sendOnce(db, refusing, mail)).toBe('rejected');
    expect(await sendOnce(db, refusing, mail)).toBe('rejected');
    expect(attempts).toBe(1);
    expect(await db.mailOutbox.findUniqueOrThrow({ where: { id } })).toMatchObject({
      sentAt: null,
      rejectedAt: expect.any(Date),
      rejection: expect.stringContaining('550'),
    });

    const id2 = `test:${randomUUID()}`;
    let down = true;
    const flaky: Mailer = {
      async send() {
        if (down) throw new Error('connect ECONNREFUSED');
      },
    };
    await expect(sendOnce(db, flaky, { ...mail, id: id2 })).rejects.toThrow(/ECONNREFUSED/);
    down = false;
    expect(await sendOnce(db, flaky, { ...mail, id: id2 })).toBe('sent');
    expect(await sendOnce(db, flaky, { ...mail, id: id2 })).toBe('already-sent');
  });
});
