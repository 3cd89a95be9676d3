// Legal holds through the API (Art. 18.1 b), and the access log of staff reads of personal
// data, on the dev server with real PostgreSQL.
import request from 'supertest';
import { retentionWorkflowId } from '../../workflows/retention/definitions';
import { testPeople } from '../support/applications';
import { signedApplication } from '../support/eid';
import { insertDecision, insertUnit, insertUser, samplePdf } from '../support/decisions';
import { startStack, waitFor, type Stack } from '../support/stack';

const { people, fixturePath } = testPeople();
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ fixturePath });
});
afterAll(async () => {
  await stack?.stop();
});
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

describe('legal holds', () => {
  it('the Chancellery or the serving unit places and lifts them; another unit sees nothing; each is audited', async () => {
    const user = await insertUser(stack.db);
    const unitId = await insertUnit(stack.db);
    const decisionId = await insertDecision(stack.db, { unitId, recipientSub: user.sub });
    const unit = await stack.token({ role: 'unit', sub: `agent-${unitId}`, unit: unitId, domains: ['population'] });
    const otherUnit = await stack.token({ role: 'unit', sub: 'agent-x', unit: 'OTHER', domains: ['population'] });
    const staff = await stack.token({ role: 'chancellery', sub: 'jurist-1' });
    const citizen = await stack.token({ role: 'citizen', sub: user.sub });

    const missing = await request(stack.app).post('/v1/legal-holds').set(bearer(unit)).send({ decisionId, reason: '' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].path).toBe('reason');
    expect((await request(stack.app).post('/v1/legal-holds').set(bearer(otherUnit)).send({ decisionId, reason: 'recours' })).status).toBe(404);
    expect((await request(stack.app).post('/v1/legal-holds').set(bearer(citizen)).send({ decisionId, reason: 'recours' })).status).toBe(403);

    const placed = await request(stack.app)
      .post('/v1/legal-holds')
      .set(bearer(unit))
      .send({ decisionId, reason: 'recours 2027/123 devant la Cour administrative' });
    expect(placed.status).toBe(201);
    const second = await request(stack.app).post('/v1/legal-holds').set(bearer(staff)).send({ decisionId, reason: 'plainte pénale' });
    const listed = await request(stack.app).get(`/v1/legal-holds?decisionId=${decisionId}`).set(bearer(staff));
    expect(listed.body.items).toHaveLength(2);
    expect(await stack.db.legalHold.count({ where: { recordId: decisionId, liftedAt: null } })).toBe(2);

    const lifted = await request(stack.app).delete(`/v1/legal-holds/${placed.body.holdId}`).set(bearer(unit));
    expect(lifted.body).toMatchObject({ liftedBy: `agent-${unitId}`, liftedAt: expect.any(String) });
    expect((await request(stack.app).delete(`/v1/legal-holds/${placed.body.holdId}`).set(bearer(unit))).status).toBe(200); // idempotent
    expect((await request(stack.app).delete(`/v1/legal-holds/${second.body.holdId}`).set(bearer(otherUnit))).status).toBe(404);
    // The serving unit cannot lift what the Chancellery placed.
    const notYours = await request(stack.app).delete(`/v1/legal-holds/${second.body.holdId}`).set(bearer(unit));
    expect(notYours.status).toBe(403);
    expect(notYours.body.error.message).toContain('only the Chancellery lifts it');
    expect(await stack.db.legalHold.count({ where: { recordId: decisionId, liftedAt: null } })).toBe(1);
    const audit = await stack.db.auditLog.findMany({ where: { recordType: 'decision', recordId: decisionId }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['legal-hold.placed', 'legal-hold.placed', 'legal-hold.lifted']);
  });

  it('a served decision has its retention process, which waits for the end of the two years, and names the consent it was served under', async () => {
    const user = await insertUser(stack.db);
    const unitId = await insertUnit(stack.db, { domains: ['population'] });
    const unit = await stack.token({ role: 'unit', sub: `agent-${unitId}`, unit: unitId, domains: ['population'] });
    const citizen = await stack.token({ role: 'citizen', sub: user.sub });
    const consent = await request(stack.app).post('/v1/me/service-consents').set(bearer(citizen)).send({ unitId, domain: 'population' });
    const served = await request(stack.app)
      .post('/v1/decisions')
      .set(bearer(unit))
      .send({
        recipientSub: user.sub,
        unitId,
        domain: 'population',
        reference: `R-${Date.now()}`,
        title: 'Décision',
        documentPdfBase64: samplePdf().toString('base64'),
        remedy: { kind: 'opposition', days: 30 },
        legalRemediesText: 'Opposition dans les 30 jours.',
      });
    const id = served.body.decisionId as string;
    await waitFor(
      async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(citizen))).body.state,
      (s) => s === 'awaiting-opening',
    );
    await request(stack.app).post(`/v1/decisions/${id}/open`).set(bearer(citizen));
    const d = await waitFor(
      () =>
        stack.client.workflow
          .getHandle(retentionWorkflowId('decision', id))
          .describe()
          .catch(() => null),
      (x) => x !== null,
    );
    expect(d!.status.name).toBe('RUNNING');
    expect(d!.searchAttributes).toMatchObject({ GvsProcess: ['retention'], GvsState: ['kept'] });
    // The consent it went through the counter under is recorded with it: kept as long as the decision (Art. 18.1 b).
    expect(await stack.db.decision.findUniqueOrThrow({ where: { id } })).toMatchObject({ channel: 'electronic', consentId: consent.body.id });
  });
});

describe('the access log (staff reads of personal data)', () => {
  it('shows the applicant to the Chancellery only, and writes who read it, when and why', async () => {
    const person = people.adult!;
    const citizen = await stack.token({ role: 'citizen', sub: `citizen-${person.avsNumber}` });
    const filed = await request(stack.app)
      .post('/v1/onboarding/applications')
      .set(bearer(citizen))
      .send(await signedApplication(stack, citizen, person));
    expect(filed.status).toBe(202);
    const id = filed.body.applicationId as string;
    const own = await request(stack.app).get(`/v1/onboarding/applications/${id}`).set(bearer(citizen));
    expect(own.body.applicant).toBeUndefined();
    const staff = await stack.token({ role: 'chancellery', sub: 'reviewer-9' });
    const read = await request(stack.app).get(`/v1/onboarding/applications/${id}`).set(bearer(staff)).set('X-Access-Purpose', 'dossier 2026-77');
    expect(read.body.applicant).toMatchObject({ lastName: person.lastName, firstName: person.firstName, birthDate: person.birthDate });
    const log = await stack.db.accessLog.findMany({ where: { recordId: id } });
    expect(log).toEqual([
      expect.objectContaining({ actorRole: 'chancellery', actorSub: 'reviewer-9', action: 'read.onboarding-application', purpose: 'dossier 2026-77 (stated)' }),
    ]);
    // Append-only, like the audit log.
    await expect(stack.db.accessLog.deleteMany({ where: { recordId: id } })).rejects.toThrow(/append-only/);
  });
});
