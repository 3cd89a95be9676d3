// The contract through the API on the dev server, with a database of its own (a rollout
// reaches every contract of the canton): publishing terms, the rollout in batches that
// survives a failed send, the 403 a restricted or blocked user gets, QES acceptance, another
// user's attempt, refusals through the task inbox, notice and termination.
import { createHash } from 'node:crypto';
import request from 'supertest';
import { pdfText } from '../support/pdf';
import type { Mailer } from '../../activities/ports';
import { createTemporalContractEngine } from '../../app/gateways';
import { localDay } from '../../domain/days';
import { contractStateQuery, contractWorkflowId } from '../../workflows/contract/definitions';
import { rolloutProgressQuery, rolloutTaskQueue, termsRolloutWorkflowId } from '../../workflows/terms-rollout/definitions';
import { insertContract, type TestContract } from '../support/contracts';
import { insertUnit, insertService, samplePdf } from '../support/decisions';
import { startStack, waitFor, type Stack } from '../support/stack';

let stack: Stack;
/** Fails one send, once the rollout has sent a few: the batch fails mid-way and is retried. */
let failNextSendAfter: number | null = null;
const flaky = (mailer: Mailer): Mailer => ({
  async send(m) {
    if (failNextSendAfter !== null && failNextSendAfter-- <= 0) {
      failNextSendAfter = null;
      throw new Error('SMTP connection lost (test)');
    }
    return mailer.send(m);
  },
});

beforeAll(async () => {
  stack = await startStack({ canton: 'JU', ownDatabase: true, wrapMailer: flaky, rollout: { batchSize: 2, batchesPerRun: 2 } });
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const chancellery = () => stack.token({ role: 'chancellery', sub: 'staff-chancellery-1' });
const today = () => localDay(new Date(), 'Europe/Zurich');

async function admitted(): Promise<TestContract & { token: string }> {
  const c = await insertContract(stack.db, { canton: 'JU' });
  // What onboarding's hand-off does once a contract starts.
  await createTemporalContractEngine(stack.client, stack.taskQueue).start({
    contractId: c.contractId,
    canton: 'JU',
    startedOn: today(),
    termsVersion: 'CG-2013-1',
  });
  return { ...c, token: await stack.token({ role: 'citizen', sub: c.sub }) };
}
const termsText = (version: string) => `Conditions générales du guichet unique, version ${version}.\nArt. 1 ...`;
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
/** The user's acceptance: a QES of the version's text by the user (insertContract's user is Essai Contrat). */
const qes = async (version: string, hash = sha256(termsText(version)), signer = { firstName: 'Essai', lastName: 'Contrat' }) => ({
  version,
  documentSha256: hash,
  signatureValue: await stack.qes.sign(Buffer.from(termsText(version)), signer),
});

async function publish(version: string, acceptanceDays: number) {
  const res = await request(stack.app)
    .post('/v1/terms-versions')
    .set(bearer(await chancellery()))
    .send({ version, title: 'Conditions générales', document: { text: termsText(version) }, effectiveOn: today(), acceptanceDays });
  return res;
}
const rolloutDone = (version: string) =>
  waitFor(
    () => stack.client.workflow.getHandle(termsRolloutWorkflowId(version)).query(rolloutProgressQuery),
    (p) => p.done,
    60_000,
  );
const myContract = async (token: string) => (await request(stack.app).get('/v1/me/contract').set(bearer(token))).body;

describe('publishing terms', () => {
  it('validates what the Chancellery sends, field by field; only the Chancellery publishes', async () => {
    const staff = await chancellery();
    const bad = await request(stack.app)
      .post('/v1/terms-versions')
      .set(bearer(staff))
      .send({ version: 'a b', title: '', document: { text: 'x' }, effectiveOn: '2020-02-30', acceptanceDays: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['acceptanceDays', 'effectiveOn', 'title', 'version']);
    const past = await request(stack.app)
      .post('/v1/terms-versions')
      .set(bearer(staff))
      .send({ version: 'past-1', title: 'CG', document: { text: 'x' }, effectiveOn: '2020-01-01' });
    expect(past.body.error.details).toEqual([{ path: 'effectiveOn', issue: 'a new version cannot take effect in the past' }]);
    const citizen = await stack.token({ role: 'citizen' });
    expect((await request(stack.app).post('/v1/terms-versions').set(bearer(citizen)).send({})).status).toBe(403);
  });
});

describe('a rollout to every contract, in batches', () => {
  it('notifies each contract once, by e-mail and in its workflow, although a send fails in the middle of a batch; a restricted user gets 403 with the reason; a QES acceptance restores access', async () => {
    const users = [];
    for (let i = 0; i < 7; i++) users.push(await admitted());
    const version = `ne-${Date.now()}`;
    failNextSendAfter = 3; // the 4th e-mail of the rollout fails: its batch runs again
    const published = await publish(version, 0);
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({
      version,
      documentSha256: sha256(termsText(version)),
      effectiveOn: today(),
      lastAcceptanceDay: null,
      restrictFrom: today(),
    });
    const progress = await rolloutDone(version);
    // 7 contracts, 2 per batch, 2 batches per run: 4 batches over 2 runs (continue-as-new).
    expect(progress).toMatchObject({ notified: 7, batches: 4, runs: 2, done: true });
    // Once done, the API reads what the rollout returned off its close event (no replay).
    const read = await waitFor(
      async () =>
        (
          await request(stack.app)
            .get(`/v1/terms-versions/${version}`)
            .set(bearer(await chancellery()))
        ).body,
      (v) => v.rollout?.done === true,
    );
    expect(read.rollout).toEqual({ workflowId: termsRolloutWorkflowId(version), notified: 7, done: true });
    const rollout = await stack.client.workflow.getHandle(termsRolloutWorkflowId(version)).describe();
    expect(rollout.searchAttributes).toMatchObject({ GvsNotified: [7], GvsState: ['done'], GvsTermsVersion: [version] });
    // On the rollouts' own task queue, never behind the contracts' backlog; the contracts on theirs.
    expect(rollout.taskQueue).toBe(rolloutTaskQueue(stack.taskQueue));
    expect((await stack.client.workflow.getHandle(contractWorkflowId(users[0]!.contractId)).describe()).taskQueue).toBe(stack.taskQueue);
    expect(failNextSendAfter).toBeNull(); // the failure did happen

    for (const u of users) {
      const mails = stack.mail.messages.filter((m) => m.to.includes(u.email) && m.subject.includes(`version ${version}`));
      expect(mails).toHaveLength(1);
      await waitFor(
        () => myContract(u.token),
        (c) => c.status === 'restricted',
      );
    }
    const [a, b] = users as [TestContract & { token: string }, TestContract & { token: string }];
    const s = await myContract(a.token);
    expect(s).toMatchObject({ status: 'restricted', pendingTerms: { version }, reason: expect.stringContaining('Art. 5.2') });

    // The same publication again is answered, not repeated; other content is a conflict.
    expect((await publish(version, 0)).status).toBe(200);
    expect((await publish(version, 5)).status).toBe(409);
    const listed = await request(stack.app).get('/v1/terms-versions').set(bearer(a.token));
    expect(listed.body.items.map((v: { version: string }) => v.version)).toContain(version);
    const doc = await request(stack.app).get(`/v1/terms-versions/${version}/document`).set(bearer(a.token));
    expect(sha256(doc.text)).toBe(published.body.documentSha256);

    // Restricted: nothing new (Art. 5.2), with the reason.
    await waitFor(
      async () => (await stack.db.contract.findUniqueOrThrow({ where: { id: a.contractId } })).status,
      (st) => st === 'restricted',
    );
    const unitId = await insertUnit(stack.db, { domains: ['population'] });
    const consent = await request(stack.app).post('/v1/me/service-consents').set(bearer(a.token)).send({ unitId, domain: 'population' });
    expect(consent.status).toBe(403);
    expect(consent.body.error).toMatchObject({ code: 'contract_restricted', message: expect.stringContaining(`terms of use version ${version}`) });
    const filed = await request(stack.app)
      .post('/v1/access-requests')
      .set(bearer(a.token))
      .send({ unitId, service: await insertService(stack.db, unitId), avsNumber: '756.1234.5678.97', email: a.email });
    expect(filed.status).toBe(403);

    // Another user's attempt: no contract → 404; their own acceptance leaves A restricted.
    const stranger = await stack.token({ role: 'citizen' });
    expect(
      (
        await request(stack.app)
          .post('/v1/me/terms-acceptances')
          .set(bearer(stranger))
          .send(await qes(version))
      ).status,
    ).toBe(404);
    expect(
      (
        await request(stack.app)
          .post('/v1/me/terms-acceptances')
          .set(bearer(b.token))
          .send(await qes(version))
      ).body,
    ).toMatchObject({ status: 'active' });
    expect((await myContract(a.token)).status).toBe('restricted');
    // A body naming a contract is refused: the contract is always the caller's own.
    expect(
      (
        await request(stack.app)
          .post('/v1/me/terms-acceptances')
          .set(bearer(b.token))
          .send({ ...(await qes(version)), contractId: a.contractId })
      ).status,
    ).toBe(400);

    // A wrong hash or an unknown version → 422, naming the field.
    const wrong = await request(stack.app)
      .post('/v1/me/terms-acceptances')
      .set(bearer(a.token))
      .send(await qes(version, 'f'.repeat(64)));
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.details).toEqual([{ path: 'documentSha256', issue: `must be the SHA-256 of version ${version}` }]);
    const unknown = await request(stack.app)
      .post('/v1/me/terms-acceptances')
      .set(bearer(a.token))
      .send(await qes('nope-1'));
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details[0].path).toBe('version');

    // A signature by someone else, or garbage: 422 naming the failed check, nothing stored.
    const byOther = await request(stack.app)
      .post('/v1/me/terms-acceptances')
      .set(bearer(a.token))
      .send(await qes(version, undefined, { firstName: 'Mallory', lastName: 'Autre' }));
    expect(byOther.status).toBe(422);
    expect(byOther.body.error).toMatchObject({ code: 'signature_invalid', details: [{ path: 'signatureValue', issue: expect.stringMatching(/^signer: /) }] });
    const garbage = await request(stack.app)
      .post('/v1/me/terms-acceptances')
      .set(bearer(a.token))
      .send({ ...(await qes(version)), signatureValue: 'MIIBqesSignatureValueOfTheTermsAAAA==' });
    expect(garbage.body.error.details[0].issue).toMatch(/^format: /);
    expect(await stack.db.termsAcceptance.count({ where: { contractId: a.contractId } })).toBe(0);

    const ok = await request(stack.app)
      .post('/v1/me/terms-acceptances')
      .set(bearer(a.token))
      .send(await qes(version));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'active', pendingTerms: null, acceptedTermsVersion: version });
    expect(await stack.db.termsAcceptance.findUnique({ where: { contractId_version: { contractId: a.contractId, version } } })).toMatchObject({
      acceptedBy: a.sub,
      documentSha256: sha256(termsText(version)),
      signatureEvidence: expect.objectContaining({ signer: expect.objectContaining({ surname: 'Contrat' }) }),
    });
    await waitFor(
      async () => (await stack.db.contract.findUniqueOrThrow({ where: { id: a.contractId } })).status,
      (st) => st === 'active',
    );
    expect((await request(stack.app).post('/v1/me/service-consents').set(bearer(a.token)).send({ unitId, domain: 'population' })).status).toBe(201);
  });
});

describe('blocking and the decisions of a blocked user', () => {
  it('a misuse report blocks at once: decisions are not readable online and go by post; the Chancellery unblocks', async () => {
    const u = await admitted();
    const unitId = await insertUnit(stack.db, { domains: ['population'] });
    const unit = await stack.token({ role: 'unit', sub: `agent-${unitId}`, unit: unitId, domains: ['population'] });
    expect((await request(stack.app).post('/v1/me/service-consents').set(bearer(u.token)).send({ unitId, domain: 'population' })).status).toBe(201);

    const blocked = await request(stack.app).post('/v1/me/misuse-reports').set(bearer(u.token)).send({});
    expect(blocked.body).toMatchObject({ status: 'blocked', blocks: [{ kind: 'misuse-reported' }] });
    await waitFor(
      async () => (await stack.db.contract.findUniqueOrThrow({ where: { id: u.contractId } })).status,
      (st) => st === 'blocked',
    );

    const served = await request(stack.app)
      .post('/v1/decisions')
      .set(bearer(unit))
      .send({
        recipientSub: u.sub,
        unitId,
        domain: 'population',
        reference: `REF-${Date.now()}`,
        title: 'Décision',
        documentPdfBase64: samplePdf('Decision').toString('base64'),
        remedy: { kind: 'appeal', days: 30 },
        legalRemediesText: 'Recours dans les 30 jours.',
      });
    expect(served.status).toBe(202);
    const id = served.body.decisionId as string;
    // Consent given, but the contract is blocked: the decision goes by post.
    const byPost = await waitFor(
      async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(unit))).body,
      (d) => d.channel === 'postal',
    );
    expect(byPost.channel).toBe('postal');
    expect(byPost.postalReason).toBe('contract-blocked');
    const cover = (await pdfText(stack.post.pdfOf(id)!)).pageTexts[0]!;
    expect(cover).toContain('Votre accès au guichet virtuel sécurisé est bloqué ou a pris fin');
    const read = await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(u.token));
    expect(read.status).toBe(403);
    expect(read.body.error.message).toContain('Art. 7.2');

    const staff = await chancellery();
    expect((await request(stack.app).post(`/v1/contracts/${u.contractId}/unblock`).set(bearer(staff)).send({})).body.error.details[0].path).toBe(
      'justification',
    );
    const lifted = await request(stack.app)
      .post(`/v1/contracts/${u.contractId}/unblock`)
      .set(bearer(staff))
      .send({ justification: 'nouveaux identifiants remis' });
    expect(lifted.body.status).toBe('active');
    expect((await request(stack.app).post(`/v1/contracts/${u.contractId}/unblock`).set(bearer(staff)).send({ justification: 'encore' })).status).toBe(409);
    expect((await request(stack.app).post(`/v1/contracts/${u.contractId}/blocks`).set(bearer(u.token)).send({ reason: 'x' })).status).toBe(403);
  });
});

describe('a refusal through the task inbox (Art. 5.3)', () => {
  it('opens a terms-refusal task the Chancellery completes with special clauses', async () => {
    const u = await admitted();
    const version = `ne-refuse-${Date.now()}`;
    expect((await publish(version, 30)).status).toBe(201);
    await rolloutDone(version);
    await waitFor(
      () => myContract(u.token),
      (c) => c.pendingTerms?.version === version,
    );
    const refused = await request(stack.app).post('/v1/me/terms-refusals').set(bearer(u.token)).send({ version });
    expect(refused.status).toBe(202);
    // The workflow's own rejection type is the answer's code: a client tells it from ContractEnded.
    const twice = await request(stack.app).post('/v1/me/terms-refusals').set(bearer(u.token)).send({ version });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('TermsRefusalOpen');
    const taskId = refused.body.refusalTaskId as string;
    const staff = await chancellery();
    const inbox = await request(stack.app).get('/v1/tasks?kind=terms-refusal').set(bearer(staff));
    expect(inbox.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ taskId, kind: 'terms-refusal', contractId: u.contractId, applicationId: null })]),
    );
    expect((await request(stack.app).post(`/v1/tasks/${taskId}/claim`).set(bearer(staff))).status).toBe(200);
    const empty = await request(stack.app).post(`/v1/tasks/${taskId}/complete`).set(bearer(staff)).send({ outcome: 'special-clauses', clauses: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details[0].path).toBe('clauses');
    const wrongKind = await request(stack.app).post(`/v1/tasks/${taskId}/complete`).set(bearer(staff)).send({ outcome: 'approve', justification: 'ok' });
    expect(wrongKind.status).toBe(400);
    const done = await request(stack.app)
      .post(`/v1/tasks/${taskId}/complete`)
      .set(bearer(staff))
      .send({ outcome: 'special-clauses', clauses: ['La clause 7 ne s’applique pas.'] });
    expect(done.status).toBe(200);
    expect(await myContract(u.token)).toMatchObject({ status: 'active', pendingTerms: null, specialClauses: ['La clause 7 ne s’applique pas.'] });
  });
});

describe('termination (Art. 10)', () => {
  it('notice and its withdrawal by the user; termination for abuse by the Chancellery ends access', async () => {
    const u = await admitted();
    const notice = await request(stack.app).post('/v1/me/contract/notice').set(bearer(u.token));
    expect(notice.body).toMatchObject({ status: 'terminating', noticeEndsOn: expect.any(String) });
    expect((await request(stack.app).post('/v1/me/contract/notice').set(bearer(u.token))).status).toBe(409);
    expect((await request(stack.app).delete('/v1/me/contract/notice').set(bearer(u.token))).body).toMatchObject({ status: 'active', noticeEndsOn: null });

    const staff = await chancellery();
    const ended = await request(stack.app)
      .post(`/v1/contracts/${u.contractId}/termination`)
      .set(bearer(staff))
      .send({ reasons: ['usage abusif'] });
    expect(ended.body).toMatchObject({ status: 'terminated', endedOn: today() });
    await waitFor(
      async () => (await stack.client.workflow.getHandle(contractWorkflowId(u.contractId)).describe()).status.name,
      (st) => st === 'COMPLETED',
    );
    expect((await request(stack.app).post('/v1/me/misuse-reports').set(bearer(u.token)).send({})).status).toBe(409);
    const unitId = await insertUnit(stack.db, { domains: ['population'] });
    const consent = await request(stack.app).post('/v1/me/service-consents').set(bearer(u.token)).send({ unitId, domain: 'population' });
    expect(consent.status).toBe(403);
    expect(consent.body.error.message).toContain('ended');
    expect(await stack.client.workflow.getHandle(contractWorkflowId(u.contractId)).query(contractStateQuery)).toMatchObject({ status: 'terminated' });
  });
});
