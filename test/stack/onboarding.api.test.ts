// Onboarding through the API, on the dev server with real PostgreSQL, the fake registers
// over HTTP and a real SMTP server catching the mail: what applicants and staff rely on.
import request from 'supertest';
import { applicationBody, testPeople, type RegisterEntry } from '../support/applications';
import { signedApplication } from '../support/eid';
import { onboardingWorkflowId } from '../../workflows/onboarding/definitions';
import { createTemporalOnboardings } from '../../app/gateways';
import { startUnstartedApplications } from '../../app/onboarding';
import { AUTHORITY_INBOX, startStack, waitFor, type Stack } from '../support/stack';

const { people, fixturePath } = testPeople({
  adult2: {},
  adult3: {},
  adult4: {},
  minor2: { birthDate: '2012-01-01' },
  minor3: { birthDate: '2012-02-02' },
  minor4: { birthDate: '2012-03-03' },
  nonResident2: { domiciledInCanton: false },
});
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ fixturePath });
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const citizen = (sub: string) => stack.token({ role: 'citizen', sub });
const staff = (sub: string) => stack.token({ role: 'chancellery', sub });

async function applyAs(sub: string, person: RegisterEntry | undefined, email?: string) {
  const token = await citizen(sub);
  const res = await request(stack.app)
    .post('/v1/onboarding/applications')
    .set(bearer(token))
    .send(await signedApplication(stack, token, person!, email));
  expect(res.status).toBe(202);
  return res.body as { applicationId: string; status: string };
}

async function statusOf(applicationId: string, token: string) {
  return (await request(stack.app).get(`/v1/onboarding/applications/${applicationId}`).set(bearer(token))).body as {
    status: string;
    pending: { kind: string; taskId: string } | null;
    refusalReasons?: string[];
  };
}

describe('the walk-through', () => {
  it('admits an adult resident automatically and e-mails the confirmation', async () => {
    const token = await citizen('anna');
    const { applicationId, status } = await applyAs('anna', people.adult, 'anna@example.ch');
    expect(status).toBe('checking');

    const done = await waitFor(
      () => statusOf(applicationId, token),
      (s) => s.status === 'approved',
    );
    expect(done.pending).toBeNull();
    const mail = await stack.mail.waitFor((m) => m.to.includes('anna@example.ch'));
    expect(mail.text).toMatch(/contrat/i);
    expect(await stack.db.registeredUser.findUniqueOrThrow({ where: { applicationId } })).toMatchObject({ sub: 'anna', commune: 'Delémont' });
    expect(await stack.db.contract.findUniqueOrThrow({ where: { applicationId } })).toMatchObject({ status: 'active' });

    // Admitted once: a second application is refused at the door.
    const again = await request(stack.app)
      .post('/v1/onboarding/applications')
      .set(bearer(token))
      .send(await signedApplication(stack, token, people.adult!));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_registered');

    // Once that contract has ended, she may contract again: the same register entry, a new contract.
    const first = await stack.db.contract.findUniqueOrThrow({ where: { applicationId } });
    await stack.db.contract.update({ where: { id: first.id }, data: { status: 'terminated', endedOn: '2026-11-30' } });
    const reapplied = await request(stack.app)
      .post('/v1/onboarding/applications')
      .set(bearer(token))
      .send(await signedApplication(stack, token, people.adult!, 'anna.new@example.ch'));
    expect(reapplied.status).toBe(202);
    await waitFor(
      () => statusOf(reapplied.body.applicationId, token),
      (s) => s.status === 'approved',
    );
    const user = await stack.db.registeredUser.findUniqueOrThrow({ where: { sub: 'anna' }, include: { contracts: { orderBy: { createdAt: 'asc' } } } });
    expect(user).toMatchObject({ applicationId: reapplied.body.applicationId, email: 'anna.new@example.ch' });
    expect(user.contracts.map((c) => [c.id, c.status])).toEqual([
      [first.id, 'terminated'],
      [`contract-${reapplied.body.applicationId}`, 'active'],
    ]);
  });

  it("sends a minor to the Chancellery's inbox, where a reviewer claims and approves the application", async () => {
    const token = await citizen('mino');
    const { applicationId } = await applyAs('mino', people.minor);
    const waiting = await waitFor(
      () => statusOf(applicationId, token),
      (s) => s.status === 'awaiting-review',
    );
    const taskId = waiting.pending!.taskId;
    // A review is not the authority's: not there for it, whoever the applicant.
    expect(
      (
        await request(stack.app)
          .get(`/v1/tasks/${taskId}`)
          .set(bearer(await stack.token({ role: 'authority', sub: 'apea-jura' })))
      ).status,
    ).toBe(404);

    const reviewer = await staff('reviewer-1');
    const inbox = await request(stack.app).get('/v1/tasks').query({ kind: 'review', claimedBy: 'none', limit: 100 }).set(bearer(reviewer));
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ taskId, applicationId, kind: 'review', status: 'open', commune: 'Porrentruy' })]),
    );
    // The inbox carries no personal data of the applicant, only what the review is about.
    expect(JSON.stringify(inbox.body)).not.toContain(people.minor!.avsNumber);

    // Completing before claiming: 409. Claimed by a colleague: 409.
    expect((await request(stack.app).post(`/v1/tasks/${taskId}/complete`).set(bearer(reviewer)).send({ outcome: 'approve', justification: 'x' })).status).toBe(
      409,
    );
    const claim = await request(stack.app).post(`/v1/tasks/${taskId}/claim`).set(bearer(reviewer));
    expect(claim.status).toBe(200);
    expect(claim.body).toMatchObject({ claimedBy: 'reviewer-1' });
    expect(
      (
        await request(stack.app)
          .post(`/v1/tasks/${taskId}/claim`)
          .set(bearer(await staff('reviewer-2')))
      ).status,
    ).toBe(409);

    // A refusal without reasons, an approval without justification: 400 naming the field.
    const noReasons = await request(stack.app).post(`/v1/tasks/${taskId}/complete`).set(bearer(reviewer)).send({ outcome: 'refuse', reasons: [] });
    expect(noReasons.status).toBe(400);
    expect(noReasons.body.error.details).toEqual([{ path: 'reasons', issue: 'a refusal needs at least one reason' }]);
    expect((await request(stack.app).post(`/v1/tasks/${taskId}/complete`).set(bearer(reviewer)).send({ outcome: 'approve' })).body.error.details[0].path).toBe(
      'justification',
    );

    const approved = await request(stack.app)
      .post(`/v1/tasks/${taskId}/complete`)
      .set(bearer(reviewer))
      .send({ outcome: 'approve', justification: 'Apprenti auprès de la commune (art. 4 al. 7)' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'completed', outcome: 'approve' });
    expect((await statusOf(applicationId, token)).status).toBe('approved');

    // The same task completed twice: 409.
    const again = await request(stack.app).post(`/v1/tasks/${taskId}/complete`).set(bearer(reviewer)).send({ outcome: 'approve', justification: 'again' });
    expect(again.status).toBe(409);
    expect(await stack.db.contract.count({ where: { applicationId } })).toBe(1);
  });
});

describe('applying', () => {
  it('names each bad field', async () => {
    const body = applicationBody(people.adult2!);
    const bad = {
      ...body,
      avsNumber: '756.1234.5678.00',
      birthDate: '2001-02-30',
      email: 'anna.example.ch',
      address: { ...body.address, postCode: '280' },
      contractSignature: { ...body.contractSignature, documentSha256: 'xyz' },
    };
    const res = await request(stack.app)
      .post('/v1/onboarding/applications')
      .set(bearer(await citizen('bad-fields')))
      .send(bad);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'address.postCode',
      'avsNumber',
      'birthDate',
      'contractSignature.documentSha256',
      'email',
    ]);
  });

  it('answers a retried Idempotency-Key with the same application, 422 with another body, 409 for a second open application', async () => {
    const token = await citizen('bruno');
    const body = await signedApplication(stack, token, people.nonResident2!, 'bruno@example.ch');
    const send = (b: object, key: string) => request(stack.app).post('/v1/onboarding/applications').set(bearer(token)).set('Idempotency-Key', key).send(b);
    const first = await send(body, 'idem-key-0001');
    const retry = await send(body, 'idem-key-0001');
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(retry.body.applicationId).toBe(first.body.applicationId);
    expect(await stack.db.onboardingApplication.count({ where: { applicantSub: 'bruno' } })).toBe(1);

    const other = await send({ ...body, email: 'autre@example.ch' }, 'idem-key-0001');
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');

    // The same proof again under another key: it served once.
    const reused = await send(body, 'idem-key-0002');
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('identity_proof_used');

    // A new proof while the first application is open.
    const second = await send(await signedApplication(stack, token, people.nonResident2!, 'bruno@example.ch'), 'idem-key-0003');
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('application_open');
  });

  it('starts the process of an application an API process stored and died before starting: the retry with its Idempotency-Key', async () => {
    const token = await citizen('orphan-minor');
    const body = await signedApplication(stack, token, people.minor3!, 'orphan@example.ch');
    const send = () => request(stack.app).post('/v1/onboarding/applications').set(bearer(token)).set('Idempotency-Key', 'idem-orphan-01').send(body);
    const first = await send();
    expect(first.status).toBe(202);
    const id = first.body.applicationId as string;
    const statusOf = async () => (await request(stack.app).get(`/v1/onboarding/applications/${id}`).set(bearer(token))).body as { status: string };
    await waitFor(statusOf, (s) => s.status === 'awaiting-review');
    // What a kill -9 between the two steps leaves (seen in the cluster's fault check): the row, and no
    // workflow running for it (here: terminated).
    const workflowId = onboardingWorkflowId(id);
    await stack.client.workflow.getHandle(workflowId).terminate('test: as if it never started');
    await stack.db.onboardingApplication.update({ where: { id }, data: { status: 'checking' } });

    const retry = await send();
    expect(retry.status).toBe(202);
    expect(retry.body.applicationId).toBe(id);
    await waitFor(statusOf, (s) => s.status === 'awaiting-review');
    expect((await stack.client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');
    // A retry while it runs starts nothing more.
    expect((await send()).status).toBe(202);
    expect(await stack.db.onboardingApplication.count({ where: { applicantSub: 'orphan-minor' } })).toBe(1);
  });

  it('the worker starts an application stored without its workflow whose client never retried; never one that ran', async () => {
    const token = await citizen('orphan-minor-2');
    const filed = await request(stack.app)
      .post('/v1/onboarding/applications')
      .set(bearer(token))
      .send(await signedApplication(stack, token, people.minor4!, 'orphan2@example.ch'));
    expect(filed.status).toBe(202);
    const id = filed.body.applicationId as string;
    const workflowId = onboardingWorkflowId(id);
    const statusOf = async () => (await request(stack.app).get(`/v1/onboarding/applications/${id}`).set(bearer(token))).body as { status: string };
    await waitFor(statusOf, (s) => s.status === 'awaiting-review');
    const gateway = createTemporalOnboardings(stack.client, stack.taskQueue);
    const sweep = () => startUnstartedApplications({ db: stack.db, onboarding: gateway, canton: 'JU' }, { applicationIds: [id] });
    // A workflow that ran (here: terminated) is never started again by the sweep.
    await stack.client.workflow.getHandle(workflowId).terminate('test');
    await stack.db.onboardingApplication.update({ where: { id }, data: { status: 'checking', submittedAt: new Date(Date.now() - 120_000) } });
    expect(await sweep()).toBe(0);
    // No workflow at all (what a kill -9 between the two steps leaves): started.
    await stack.client.connection.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId } });
    await waitFor(
      () =>
        stack.client.workflow
          .getHandle(workflowId)
          .describe()
          .then(
            () => 'there',
            () => 'gone',
          ),
      (s) => s === 'gone',
      60_000,
    );
    expect(await sweep()).toBe(1);
    await waitFor(statusOf, (s) => s.status === 'awaiting-review');
    expect((await stack.client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');
    expect(await sweep()).toBe(0); // running: left alone
  }, 90_000);

  it('shows an application to its applicant, their counsellor and the Chancellery only', async () => {
    const counsellor = await stack.token({ role: 'counsellor', sub: 'poste-porrentruy-1' });
    // At the post office: the person's e-ID presented to the verification the counsellor started.
    const res = await request(stack.app)
      .post('/v1/onboarding/applications')
      .set(bearer(counsellor))
      .send(await signedApplication(stack, counsellor, people.adult3!, undefined, { onBehalfOf: 'carla' }));
    expect(res.status).toBe(202);
    const id = res.body.applicationId as string;
    const filed = await stack.db.auditLog.findFirstOrThrow({ where: { recordId: id, action: 'onboarding.applied' } });
    expect(filed).toMatchObject({ actorRole: 'counsellor', actorSub: 'poste-porrentruy-1', onBehalfOf: 'carla' });

    const get = async (token: string) => (await request(stack.app).get(`/v1/onboarding/applications/${id}`).set(bearer(token))).status;
    expect(await get(await citizen('carla'))).toBe(200);
    expect(await get(counsellor)).toBe(200);
    expect(await get(await staff('staff-1'))).toBe(200);
    expect(await get(await citizen('someone-else'))).toBe(404);
    expect(await get(await stack.token({ role: 'counsellor', sub: 'poste-delemont-2' }))).toBe(404);
    expect(await get(await stack.token({ role: 'unit', sub: 'u', unit: 'SPOP' }))).toBe(403);
  });
});

describe('the contract signature (Art. 4.3)', () => {
  /** The application refused for its signature: 422 naming the check, nothing stored, the proof still unused. */
  async function refusedFor(sub: string, body: { identityVerificationId: string; contractSignature: object }, check: string) {
    const res = await request(stack.app)
      .post('/v1/onboarding/applications')
      .set(bearer(await citizen(sub)))
      .send(body);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'signature_invalid',
      details: [{ path: 'contractSignature.signatureValue', issue: expect.stringMatching(new RegExp(`^${check}: `)) }],
    });
    expect(res.body.error.message).toContain(`failed the ${check} check`);
    expect(await stack.db.onboardingApplication.count({ where: { applicantSub: sub } })).toBe(0);
    expect(await stack.db.identityVerification.findUniqueOrThrow({ where: { id: body.identityVerificationId } })).toMatchObject({ usedByApplication: null });
  }

  it('refuses a garbage signature, one by another person, one of another text, one from an unlisted authority and a revoked certificate', async () => {
    const p = people.adult2!;
    const sign = async (sub: string, o: Parameters<typeof signedApplication>[4] = {}) => signedApplication(stack, await citizen(sub), p, undefined, o);

    const garbage = await sign('sig-garbage');
    await refusedFor('sig-garbage', { ...garbage, contractSignature: { ...garbage.contractSignature, signatureValue: 'QUJDREVGR0hJSktMTU5PUA==' } }, 'format');

    await refusedFor('sig-other-person', await sign('sig-other-person', { signer: { firstName: 'Mallory', lastName: 'Autre' } }), 'signer');

    const otherText = await sign('sig-other-text');
    const elsewhere = await stack.qes.sign(Buffer.from('Un autre texte'), p);
    await refusedFor('sig-other-text', { ...otherText, contractSignature: { ...otherText.contractSignature, signatureValue: elsewhere } }, 'document');

    const { startFakeQca } = await import('../../fakes/qca/server');
    const rogue = await startFakeQca({ port: 0 });
    try {
      const unlisted = await sign('sig-unlisted');
      const cert = await rogue.authority.issuePerson({ givenName: p.firstName, familyName: p.lastName });
      const terms = Buffer.from((await stack.db.termsVersion.findUniqueOrThrow({ where: { version: unlisted.contractSignature.termsVersion } })).document);
      const value = await rogue.authority.sign(terms, cert);
      await refusedFor('sig-unlisted', { ...unlisted, contractSignature: { ...unlisted.contractSignature, signatureValue: value } }, 'chain');
    } finally {
      await rogue.close();
    }

    const revokedSigner = { firstName: p.firstName, lastName: 'Révoquée' };
    const revoked = await sign('sig-revoked', { signer: revokedSigner });
    stack.qes.qca.revoke((await stack.qes.certificateOf(revokedSigner)).serialNumber);
    // The signer check comes after revocation: a revoked certificate is refused as revoked.
    await refusedFor('sig-revoked', revoked, 'revocation');
  });

  it('keeps the evidence of the identity and of the signature with the contract', async () => {
    const token = await citizen('sig-evidence');
    const { applicationId } = await (async () => {
      const res = await request(stack.app)
        .post('/v1/onboarding/applications')
        .set(bearer(token))
        .send(await signedApplication(stack, token, people.adult4!));
      expect(res.status).toBe(202);
      return res.body as { applicationId: string };
    })();
    await waitFor(
      () => statusOf(applicationId, token),
      (s) => s.status === 'approved',
    );
    const contract = await stack.db.contract.findUniqueOrThrow({ where: { applicationId } });
    expect(contract.identityEvidence).toEqual({
      verificationId: expect.any(String),
      verifierId: expect.any(String),
      verifiedAt: expect.any(String),
      issuer: stack.eid.issuer.did,
      vct: 'urn:vct:ch.admin.bcs.betaid',
      presentationSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      claims: {
        given_name: people.adult4!.firstName,
        family_name: people.adult4!.lastName,
        birth_date: people.adult4!.birthDate,
        personal_administrative_number: people.adult4!.avsNumber,
      },
    });
    expect(contract.signatureEvidence).toMatchObject({
      signer: { givenName: people.adult4!.firstName, surname: people.adult4!.lastName },
      certificateSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      revocation: { crlUrl: stack.qes.qca.crlUrl },
    });
    expect(contract.identityProofRef).toBe(`eid:${(contract.identityEvidence as { verificationId: string }).verificationId}`);
    // The claims left the verification row once the application took them.
    expect(await stack.db.identityVerification.findFirstOrThrow({ where: { usedByApplication: applicationId } })).toMatchObject({ claims: null });
  });
});

describe('the protection authority and the formal decision', () => {
  it("admits once the authority confirms a protected adult's civil capacity", async () => {
    const token = await citizen('prot');
    const { applicationId } = await applyAs('prot', people.protectedAdult);
    const waiting = await waitFor(
      () => statusOf(applicationId, token),
      (s) => s.status === 'awaiting-authority',
    );
    // The inquiry reaches the authority: an e-mail when it opens (no personal data in it), its inbox, whom it is about.
    const taskId = waiting.pending!.taskId;
    const mail = await stack.mail.waitFor((m) => m.to.includes(AUTHORITY_INBOX) && m.subject.includes(taskId));
    expect(mail.subject).toContain('capacité civile');
    expect(mail.text).not.toContain(people.protectedAdult!.lastName);
    const apea = await stack.token({ role: 'authority', sub: 'apea-jura' });
    const inbox = await request(stack.app).get('/v1/tasks').query({ limit: 100 }).set(bearer(apea));
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.map((t: { taskId: string }) => t.taskId)).toContain(taskId);
    expect(inbox.body.items.every((t: { kind: string }) => t.kind === 'authority-inquiry')).toBe(true);
    const reviews = await request(stack.app).get('/v1/tasks').query({ kind: 'review' }).set(bearer(apea));
    expect(reviews.body.items).toEqual([]);
    const task = await request(stack.app).get(`/v1/tasks/${taskId}`).set(bearer(apea));
    expect(task.body.person).toEqual({
      lastName: people.protectedAdult!.lastName,
      firstName: people.protectedAdult!.firstName,
      birthDate: people.protectedAdult!.birthDate,
      avsNumber: people.protectedAdult!.avsNumber,
    });
    expect(await stack.db.accessLog.count({ where: { actorSub: 'apea-jura', action: 'read.authority-inquiry', recordId: applicationId } })).toBe(1);
    expect(
      (
        await request(stack.app)
          .get(`/v1/tasks/${taskId}`)
          .set(bearer(await staff('s')))
      ).body.person,
    ).toBeUndefined();
    expect((await request(stack.app).post(`/v1/tasks/${taskId}/claim`).set(bearer(apea))).status).toBe(403);
    const path = `/v1/onboarding/applications/${applicationId}/authority-answer`;
    expect(
      (
        await request(stack.app)
          .post(path)
          .set(bearer(await staff('s')))
          .send({ hasCivilCapacity: true })
      ).status,
    ).toBe(403);
    const answered = await request(stack.app)
      .post(path)
      .set(bearer(await stack.token({ role: 'authority', sub: 'apea-jura' })))
      .send({ hasCivilCapacity: true, note: 'Curatelle de représentation limitée' });
    expect(answered.status).toBe(200);
    expect(answered.body.status).toBe('approved');
    expect(
      (
        await request(stack.app)
          .post(path)
          .set(bearer(await stack.token({ role: 'authority', sub: 'apea-jura' })))
          .send({ hasCivilCapacity: true })
      ).status,
    ).toBe(409);
  });

  it('lets a refused applicant ask for a formal decision, which opens a task', async () => {
    const token = await citizen('dora');
    const { applicationId } = await applyAs('dora', people.nonResident, 'dora@example.ch');
    const waiting = await waitFor(
      () => statusOf(applicationId, token),
      (s) => s.status === 'awaiting-review',
    );
    const reviewer = await staff('reviewer-3');
    await request(stack.app).post(`/v1/tasks/${waiting.pending!.taskId}/claim`).set(bearer(reviewer));
    const refused = await request(stack.app)
      .post(`/v1/tasks/${waiting.pending!.taskId}/complete`)
      .set(bearer(reviewer))
      .send({ outcome: 'refuse', reasons: ['Domicile hors du canton'] });
    expect(refused.status).toBe(200);
    const mail = await stack.mail.waitFor((m) => m.to.includes('dora@example.ch'));
    expect(mail.text).toContain('Domicile hors du canton');

    const path = `/v1/onboarding/applications/${applicationId}/formal-decision-request`;
    expect(
      (
        await request(stack.app)
          .post(path)
          .set(bearer(await citizen('not-dora')))
      ).status,
    ).toBe(404);
    const asked = await waitFor(
      () => request(stack.app).post(path).set(bearer(token)),
      (r) => r.status === 200,
    );
    expect(asked.body).toMatchObject({ status: 'refused', formalDecisionRequest: { ground: 'onboarding-refused', status: 'requested' } });
    // Asking again answers the same request.
    expect((await request(stack.app).post(path).set(bearer(token))).body.formalDecisionRequest.requestId).toBe(asked.body.formalDecisionRequest.requestId);

    const inbox = await waitFor(
      () => request(stack.app).get('/v1/tasks').query({ kind: 'formal-decision' }).set(bearer(reviewer)),
      (r) => r.body.items.some((t: { applicationId: string }) => t.applicationId === applicationId),
    );
    expect(inbox.body.items.find((t: { applicationId: string }) => t.applicationId === applicationId).formalRequestId).toBe(
      asked.body.formalDecisionRequest.requestId,
    );
  });
});

describe('the inbox', () => {
  it('pages by cursor without repeating a task', async () => {
    const reviewer = await staff('pager');
    const first = await request(stack.app).get('/v1/tasks').query({ status: 'completed', limit: 1 }).set(bearer(reviewer));
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await request(stack.app).get('/v1/tasks').query({ status: 'completed', limit: 1, cursor: first.body.nextCursor }).set(bearer(reviewer));
    expect(second.body.items[0].taskId).not.toBe(first.body.items[0].taskId);
    expect((await request(stack.app).get('/v1/tasks').query({ cursor: 'garbage' }).set(bearer(reviewer))).status).toBe(400);
    expect(
      (
        await request(stack.app)
          .get('/v1/tasks')
          .set(bearer(await citizen('x')))
      ).status,
    ).toBe(403);
  });
});
