// Formal decisions on request (CPA; Art. 4.8, 5.3, 10.2, 14.4), through the API on the dev
// server: wherever the counter refused, ended or restricted something, the person asks — with
// no period —, the competent authority decides in its own inbox, what it grants takes effect,
// and the decision is a PDF with reasons and remedies, served like any decision (here by post:
// nobody consented to electronic service by the Chancellery).
import request from 'supertest';
import { createTemporalContractEngine } from '../../app/gateways';
import { localDay } from '../../domain/days';
import { contractStateQuery, contractWorkflowId } from '../../workflows/contract/definitions';
import { testPeople } from '../support/applications';
import { signedApplication } from '../support/eid';
import { insertContract, insertTermsVersion, type TestContract } from '../support/contracts';
import { insertUnit, insertService } from '../support/decisions';
import { pdfText } from '../support/pdf';
import { startStack, waitFor, type Stack } from '../support/stack';

const { people, fixturePath } = testPeople();
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ fixturePath, ownDatabase: true });
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const chancellery = () => stack.token({ role: 'chancellery', sub: 'jurist-1' });
const today = () => localDay(new Date(), 'Europe/Zurich');

interface RequestView {
  requestId: string;
  ground: string;
  authority: string;
  status: string;
  taskId: string;
  outcome?: string;
  decisionId?: string;
}

/** Claims and completes a task as `token`, through the task API. */
async function decide(token: string, taskId: string, outcome: object) {
  const inbox = await waitFor(
    () => request(stack.app).get(`/v1/tasks/${taskId}`).set(bearer(token)),
    (r) => r.status === 200,
  );
  expect(inbox.body).toMatchObject({ kind: 'formal-decision', status: 'open' });
  expect((await request(stack.app).post(`/v1/tasks/${taskId}/claim`).set(bearer(token))).status).toBe(200);
  const done = await request(stack.app).post(`/v1/tasks/${taskId}/complete`).set(bearer(token)).send(outcome);
  expect(done.status).toBe(200);
}

/** Waits until the request is decided and its decision is in the post, and reads the letter. */
async function decidedAndPosted(token: string, requestId: string): Promise<{ view: RequestView; text: string }> {
  const view = await waitFor(
    async () => (await request(stack.app).get(`/v1/formal-decision-requests/${requestId}`).set(bearer(token))).body as RequestView,
    (v) => v.status === 'decided',
    30_000,
  );
  const pdf = await waitFor(
    async () => stack.post.pdfOf(view.decisionId!),
    (p) => p !== undefined,
    30_000,
  );
  return { view, text: (await pdfText(pdf!)).text.replace(/\s+/g, ' ') };
}

async function admitted(pendingTerms?: Awaited<ReturnType<typeof insertTermsVersion>>): Promise<TestContract & { token: string }> {
  const c = await insertContract(stack.db, { canton: 'JU' });
  await createTemporalContractEngine(stack.client, stack.taskQueue).start({
    contractId: c.contractId,
    canton: 'JU',
    startedOn: today(),
    termsVersion: 'CG-2013-1',
    pendingTerms: pendingTerms?.notice ?? null,
  });
  return { ...c, token: await stack.token({ role: 'citizen', sub: c.sub }) };
}
const contractState = (contractId: string) => stack.client.workflow.getHandle(contractWorkflowId(contractId)).query(contractStateQuery);

describe('after a refused application (Art. 4.8)', () => {
  it('asks with no period, once; the Chancellery refuses in a formal decision served by post with its reasons and remedies', async () => {
    const token = await stack.token({ role: 'citizen', sub: 'fd-applicant' });
    const applied = await request(stack.app)
      .post('/v1/onboarding/applications')
      .set(bearer(token))
      .send(await signedApplication(stack, token, people.nonResident!, 'fd-applicant@example.ch'));
    expect(applied.status).toBe(202);
    const id = applied.body.applicationId as string;
    const waiting = await waitFor(
      async () => (await request(stack.app).get(`/v1/onboarding/applications/${id}`).set(bearer(token))).body,
      (s) => s.status === 'awaiting-review',
    );
    const staff = await chancellery();
    await request(stack.app).post(`/v1/tasks/${waiting.pending.taskId}/claim`).set(bearer(staff));
    await request(stack.app)
      .post(`/v1/tasks/${waiting.pending.taskId}/complete`)
      .set(bearer(staff))
      .send({ outcome: 'refuse', reasons: ['Domicile hors du canton du Jura'] });
    const refusal = await stack.mail.waitFor((m) => m.to.includes('fd-applicant@example.ch') && m.subject.includes('refusée'));
    expect(refusal.text).toContain('vous pouvez demander une décision formelle');
    expect(refusal.text).not.toContain('au plus tard');

    const path = `/v1/onboarding/applications/${id}/formal-decision-request`;
    expect(
      (
        await request(stack.app)
          .post(path)
          .set(bearer(await stack.token({ role: 'citizen', sub: 'someone-else' })))
      ).status,
    ).toBe(404);
    const asked = await waitFor(
      () => request(stack.app).post(path).set(bearer(token)),
      (r) => r.status === 200,
    );
    expect(asked.body).toMatchObject({ status: 'refused', formalDecisionRequest: { ground: 'onboarding-refused', authority: 'CHA', status: 'requested' } });
    expect(asked.body.formalDecisionDeadline).toBeUndefined();
    const again = await request(stack.app).post(path).set(bearer(token));
    expect(again.body.formalDecisionRequest.requestId).toBe(asked.body.formalDecisionRequest.requestId);
    const ack = await stack.mail.waitFor((m) => m.to.includes('fd-applicant@example.ch') && m.subject.includes('décision formelle'));
    expect(ack.text).toContain("Chancellerie d'Etat rendra une décision formelle");

    const fd = asked.body.formalDecisionRequest as RequestView;
    const listed = await waitFor(
      async () =>
        (await request(stack.app).get('/v1/tasks').query({ kind: 'formal-decision' }).set(bearer(staff))).body.items as {
          taskId: string;
          applicationId: string;
        }[],
      (items) => items.some((t) => t.taskId === fd.taskId),
    );
    expect(listed.find((t) => t.taskId === fd.taskId)!.applicationId).toBe(id);
    await decide(staff, fd.taskId, { outcome: 'refuse', reasons: ["Le requérant n'est pas domicilié dans le canton du Jura (art. 4 al. 5 let. a)."] });

    const { view, text } = await decidedAndPosted(token, fd.requestId);
    expect(view).toMatchObject({ outcome: 'refuse', decisionId: `fd-${fd.requestId}` });
    expect(text).toContain('Décision formelle — accès au guichet virtuel sécurisé');
    expect(text).toContain("1. L'accès au guichet virtuel sécurisé est refusé.");
    expect(text).toContain("n'est pas domicilié dans le canton du Jura");
    expect(text).toContain(
      "Opposition dans les 30 jours dès la notification, par écrit et motivée, auprès de Chancellerie d'Etat, Rue de l’Hôpital 2, 2800 Delémont",
    );
    expect(text).toContain(`${people.nonResident!.firstName} ${people.nonResident!.lastName}`);
    expect((await stack.db.onboardingApplication.findUniqueOrThrow({ where: { id } })).status).toBe('refused');
  });
});

describe('after a termination for abuse (Art. 10.2)', () => {
  it('stores and sends the reasons; the Chancellery annuls the termination in a formal decision and the contract runs again', async () => {
    const c = await admitted();
    const staff = await chancellery();
    expect((await request(stack.app).post('/v1/me/contract/formal-decision-request').set(bearer(c.token))).status).toBe(409);
    const ended = await request(stack.app)
      .post(`/v1/contracts/${c.contractId}/termination`)
      .set(bearer(staff))
      .send({ reasons: ['Dépôt répété de documents falsifiés'] });
    expect(ended.status).toBe(200);
    expect(await stack.db.contract.findUniqueOrThrow({ where: { id: c.contractId } })).toMatchObject({
      endGround: 'abuse',
      endReasons: ['Dépôt répété de documents falsifiés'],
      endedOn: today(),
    });
    const told = await stack.mail.waitFor((m) => m.to.includes(c.email) && m.subject.startsWith('Fin de votre contrat'));
    expect(told.text).toContain("l'a résilié pour abus");
    expect(told.text).toContain('- Dépôt répété de documents falsifiés');
    expect(told.text).toContain('demander une décision formelle');

    const asked = await request(stack.app).post('/v1/me/contract/formal-decision-request').set(bearer(c.token));
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ ground: 'terminated-for-abuse', authority: 'CHA', status: 'requested' });
    await decide(staff, asked.body.taskId, { outcome: 'approve', justification: 'Les documents ont été déposés par un tiers à l’insu de l’utilisateur.' });

    const { view, text } = await decidedAndPosted(c.token, asked.body.requestId);
    expect(view.outcome).toBe('approve');
    expect(text).toContain("1. La résiliation du contrat d'utilisation est annulée : le contrat se poursuit dès ce jour.");
    expect(text).toContain('déposés par un tiers');
    const restored = await stack.db.contract.findUniqueOrThrow({ where: { id: c.contractId } });
    expect(restored).toMatchObject({ endedOn: null, endGround: null, status: 'active' });
    expect(
      await waitFor(
        () => contractState(c.contractId),
        (s) => s.status === 'active',
      ),
    ).toMatchObject({ endedOn: null });
    expect((await request(stack.app).get('/v1/me/contract').set(bearer(c.token))).body.status).toBe('active');
  });
});

describe('after a refusal of the terms (Art. 5.3)', () => {
  async function refusedTerms() {
    const terms = await insertTermsVersion(stack.db, { canton: 'JU', effectiveOn: today(), acceptanceDays: 0 });
    const c = await admitted(terms);
    await waitFor(
      () => contractState(c.contractId),
      (s) => s.pendingTerms?.version === terms.version,
    );
    expect((await request(stack.app).post('/v1/me/terms-refusals').set(bearer(c.token)).send({ version: terms.version })).status).toBe(202);
    const s = await waitFor(
      () => contractState(c.contractId),
      (x) => x.task !== null,
    );
    const staff = await chancellery();
    await request(stack.app).post(`/v1/tasks/${s.task!.taskId}/claim`).set(bearer(staff));
    return { c, terms, staff, refusalTask: s.task!.taskId };
  }

  it('a block kept: told with its reason; a formal decision lifts it with clauses, recorded as an amendment', async () => {
    const { c, terms, staff, refusalTask } = await refusedTerms();
    await request(stack.app)
      .post(`/v1/tasks/${refusalTask}/complete`)
      .set(bearer(staff))
      .send({ outcome: 'keep-blocked', justification: 'Les conditions sont les mêmes pour tous les utilisateurs.' });
    const told = await stack.mail.waitFor((m) => m.to.includes(c.email) && m.subject.includes('reste bloqué'));
    expect(told.text).toContain('Les conditions sont les mêmes pour tous les utilisateurs.');
    expect(told.text).toContain('demander une décision formelle');
    await waitFor(
      () => contractState(c.contractId),
      (s) => s.status === 'blocked',
    );

    const asked = await request(stack.app).post('/v1/me/contract/formal-decision-request').set(bearer(c.token));
    expect(asked.body).toMatchObject({ ground: 'terms-kept-blocked', authority: 'CHA' });
    await decide(staff, asked.body.taskId, { outcome: 'approve', justification: "L'article 12 ne s'applique pas à l'utilisateur." });
    const { text } = await decidedAndPosted(c.token, asked.body.requestId);
    expect(text).toContain('1. Le blocage est levé : le contrat se poursuit, aux clauses particulières indiquées dans les motifs.');
    const s = await waitFor(
      () => contractState(c.contractId),
      (x) => x.status === 'active',
    );
    expect(s).toMatchObject({ acceptedTermsVersion: terms.version, specialClauses: ["L'article 12 ne s'applique pas à l'utilisateur."], pendingTerms: null });
    expect(await stack.db.contractAmendment.findFirst({ where: { contractId: c.contractId, termsVersion: terms.version } })).toMatchObject({
      clauses: ["L'article 12 ne s'applique pas à l'utilisateur."],
    });
  });

  it('a revocation: its reasons stored and sent; the formal decision confirms it', async () => {
    const { c, staff, refusalTask } = await refusedTerms();
    await request(stack.app)
      .post(`/v1/tasks/${refusalTask}/complete`)
      .set(bearer(staff))
      .send({ outcome: 'revoke', reasons: ['Refus définitif des conditions générales'] });
    await waitFor(
      () => stack.db.contract.findUniqueOrThrow({ where: { id: c.contractId } }),
      (x) => x.endedOn !== null,
    );
    expect(await stack.db.contract.findUniqueOrThrow({ where: { id: c.contractId } })).toMatchObject({
      endGround: 'terms-revoked',
      endReasons: ['Refus définitif des conditions générales'],
    });
    const told = await stack.mail.waitFor((m) => m.to.includes(c.email) && m.subject.startsWith('Fin de votre contrat'));
    expect(told.text).toContain("l'a révoqué après votre refus des conditions générales");
    expect(told.text).toContain('- Refus définitif des conditions générales');

    const asked = await request(stack.app).post('/v1/me/contract/formal-decision-request').set(bearer(c.token));
    expect(asked.body).toMatchObject({ ground: 'terms-revoked' });
    await decide(staff, asked.body.taskId, { outcome: 'refuse', reasons: ["L'utilisateur refuse les conditions en vigueur, applicables à tous."] });
    const { text } = await decidedAndPosted(c.token, asked.body.requestId);
    expect(text).toContain("1. La révocation du contrat d'utilisation du guichet virtuel sécurisé est confirmée.");
    expect(text).toContain('applicables à tous');
    expect((await stack.db.contract.findUniqueOrThrow({ where: { id: c.contractId } })).endedOn).not.toBeNull();
  });
});

describe('after a refused access to a service (Art. 14.4)', () => {
  it('the unit decides in its own inbox, told by e-mail; no other unit and not the Chancellery can act on it', async () => {
    const unitId = await insertUnit(stack.db, { domains: ['population'] });
    await stack.db.unit.update({ where: { id: unitId }, data: { email: `${unitId.toLowerCase()}@unit.test` } });
    const unit = await stack.token({ role: 'unit', sub: 'unit-jurist', unit: unitId, domains: ['population'] });
    const c = await admitted();
    const service = await insertService(stack.db, unitId);
    const filed = await request(stack.app)
      .post('/v1/access-requests')
      .set(bearer(c.token))
      .send({
        unitId,
        service,
        avsNumber: (await stack.db.registeredUser.findUniqueOrThrow({ where: { sub: c.sub } })).avsNumber,
        email: c.email,
      });
    expect(filed.status).toBe(202);
    const id = filed.body.requestId as string;
    await waitFor(
      () => request(stack.app).get(`/v1/access-requests/${id}`).set(bearer(c.token)),
      (r) => r.body.state === 'awaiting-unit',
    );
    expect((await request(stack.app).post(`/v1/access-requests/${id}/formal-decision-request`).set(bearer(c.token))).status).toBe(409);
    expect(
      (
        await request(stack.app)
          .post(`/v1/access-requests/${id}/decision`)
          .set(bearer(unit))
          .send({ outcome: 'refuse', reason: 'Le permis est réservé aux résidents.' })
      ).status,
    ).toBe(200);

    // Another citizen's request, a role that is not the person's, an id that cannot be one.
    const stranger = await stack.token({ role: 'citizen', sub: 'fd-stranger' });
    expect((await request(stack.app).post(`/v1/access-requests/${id}/formal-decision-request`).set(bearer(stranger))).status).toBe(404);
    expect((await request(stack.app).post(`/v1/access-requests/${id}/formal-decision-request`).set(bearer(unit))).status).toBe(403);
    expect((await request(stack.app).post('/v1/access-requests/2026-02-30/formal-decision-request').set(bearer(c.token))).status).toBe(400);
    expect((await request(stack.app).post('/v1/me/contract/formal-decision-request').set(bearer(unit))).status).toBe(403);

    const asked = await request(stack.app).post(`/v1/access-requests/${id}/formal-decision-request`).set(bearer(c.token));
    expect(asked.status).toBe(202);
    expect((await request(stack.app).get(`/v1/formal-decision-requests/${asked.body.requestId}`).set(bearer(stranger))).status).toBe(404);
    expect((await request(stack.app).get(`/v1/formal-decision-requests/${asked.body.requestId}`).set(bearer(unit))).status).toBe(200);
    expect((await request(stack.app).get('/v1/formal-decision-requests/2026-02-30').set(bearer(c.token))).status).toBe(400);
    expect(asked.body).toMatchObject({ ground: 'access-refused', authority: unitId });
    const notice = await stack.mail.waitFor((m) => m.to.includes(`${unitId.toLowerCase()}@unit.test`) && m.text.includes(asked.body.taskId));
    expect(notice.text).toContain(asked.body.taskId);
    expect(notice.text).toContain('art. 14 al. 4');

    // The unit's inbox has it; the Chancellery's does not, and neither it nor another unit may act on it.
    const mine = await waitFor(
      async () => (await request(stack.app).get('/v1/tasks').set(bearer(unit))).body.items as { taskId: string; unitId: string }[],
      (items) => items.some((t) => t.taskId === asked.body.taskId),
    );
    expect(mine.every((t) => t.unitId === unitId)).toBe(true);
    const staff = await chancellery();
    const theirs = (await request(stack.app).get('/v1/tasks').query({ kind: 'formal-decision' }).set(bearer(staff))).body.items as { taskId: string }[];
    expect(theirs.map((t) => t.taskId)).not.toContain(asked.body.taskId);
    expect((await request(stack.app).post(`/v1/tasks/${asked.body.taskId}/claim`).set(bearer(staff))).status).toBe(404);
    const otherUnit = await stack.token({ role: 'unit', sub: 'other', unit: 'UOTHER', domains: ['population'] });
    expect((await request(stack.app).get(`/v1/tasks/${asked.body.taskId}`).set(bearer(otherUnit))).status).toBe(404);

    await decide(unit, asked.body.taskId, { outcome: 'refuse', reasons: ['Le permis de pêche est réservé aux personnes domiciliées dans le canton.'] });
    const { view, text } = await decidedAndPosted(c.token, asked.body.requestId);
    expect(view).toMatchObject({ outcome: 'refuse', authority: unitId });
    expect(text).toContain('Service de test décide');
    expect(text).toContain(`1. L'accès à la prestation « ${service} » est refusé.`);
    expect(text).toContain('réservé aux personnes domiciliées');
    expect(text).toContain('auprès de Service de test, Rue du 24-Septembre 1, 2800 Delémont');
    expect(text).not.toContain('Chancellerie');
  });
});
