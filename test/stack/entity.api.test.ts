// Legal entities through the API (Art. 11-13; NE 5.5, 7.3): Adèle, a signatory with individual
// signature in the (fake) commercial register, contracts for Horlogerie Exemple SA; the
// Chancellery verifies her powers with the register's answer; she authorises Marc for one
// service; Marc files for the company, then is blocked and refused at once. A company
// represented collectively waits for its written contract; a person without signing power is
// refused with reasons.
import request from 'supertest';
import { insertContract } from '../support/contracts';
import { contractTerms } from '../support/eid';
import { startStack, waitFor, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  // Its own database: the entities' UIDs come from the fake register's one fixture.
  stack = await startStack({ ownDatabase: true });
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
// fakes/commercial-register/demo-entities.json
const INDIVIDUAL = 'CHE-111.111.118'; // Horlogerie Exemple SA: Adèle Exemple signs alone
const COLLECTIVE = 'CHE-222.222.225'; // Atelier Exemple Sàrl: two by two
const CANCELLED = 'CHE-333.333.332';
const NO_POWER = 'CHE-555.555.557'; // Coopérative Exemple du Jura: Adèle is in it, without signing power
const ADELE = { firstName: 'Adèle', lastName: 'Exemple', birthDate: '1985-03-21' };

/** A user of the counter; with `as`, the person of the register's fixture. */
async function user(as?: typeof ADELE) {
  const c = await insertContract(stack.db, { canton: 'JU' });
  if (as) await stack.db.registeredUser.update({ where: { sub: c.sub }, data: as });
  return { sub: c.sub, token: await stack.token({ role: 'citizen', sub: c.sub }) };
}

async function signedBy(signer: { firstName: string; lastName: string }) {
  const terms = await contractTerms(stack.db, 'JU');
  return { documentSha256: terms.sha256, signatureValue: await stack.qes.sign(Buffer.from(terms.text), signer), termsVersion: terms.version };
}

async function apply(filer: { token: string }, uid: string, signer: { firstName: string; lastName: string } = ADELE, extra: Record<string, unknown> = {}) {
  return request(stack.app)
    .post('/v1/entity-applications')
    .set(bearer(filer.token))
    .send({
      uid,
      email: `info-${uid.replace(/\D/g, '')}@example.ch`,
      address: { street: "Rue de l'Exemple 12", postCode: '2800', locality: 'Delémont' },
      contractSignature: await signedBy(signer),
      ...extra,
    });
}

const statusOf = async (filer: { token: string }, id: string) =>
  (await request(stack.app).get(`/v1/entity-applications/${id}`).set(bearer(filer.token)).expect(200)).body;

async function complete(taskId: string, outcome: Record<string, unknown>) {
  const reviewer = await stack.token({ role: 'chancellery', sub: 'reviewer-entities' });
  await request(stack.app).post(`/v1/tasks/${taskId}/claim`).set(bearer(reviewer)).expect(200);
  const done = await request(stack.app).post(`/v1/tasks/${taskId}/complete`).set(bearer(reviewer)).send(outcome);
  expect(done.status).toBe(200);
}

it('contracts for a company through its signatory, whose powers the Chancellery verifies; its employee acts for one service until blocked', async () => {
  const adele = await user(ADELE);
  const marc = await user();
  const filed = await apply(adele, INDIVIDUAL);
  expect(filed.status).toBe(202);
  expect(filed.body).toMatchObject({ uid: INDIVIDUAL, status: 'checking' });
  const id = filed.body.applicationId as string;

  const waiting = await waitFor(
    () => statusOf(adele, id),
    (s) => s.status === 'awaiting-powers',
  );
  expect(waiting).toMatchObject({ finding: 'individual', pending: { kind: 'entity-powers' } });
  const taskId = waiting.pending.taskId as string;

  // The reviewer sees the register's answer; the inbox shows the task without names.
  const reviewer = await stack.token({ role: 'chancellery', sub: 'reviewer-entities' });
  const inbox = await request(stack.app).get('/v1/tasks').query({ kind: 'entity-powers', limit: 100 }).set(bearer(reviewer));
  const listed = inbox.body.items.find((t: { taskId: string }) => t.taskId === taskId);
  expect(listed).toMatchObject({ entityApplicationId: id, subject: expect.stringContaining('signature individuelle') });
  expect(JSON.stringify(listed)).not.toContain('Adèle');
  const task = await request(stack.app).get(`/v1/tasks/${taskId}`).set(bearer(reviewer));
  expect(task.body.entity).toMatchObject({
    uid: INDIVIDUAL,
    filedBy: ADELE,
    signingPower: 'individual',
    register: { name: 'Horlogerie Exemple SA', status: 'active', signatories: [expect.objectContaining({ lastName: 'Exemple', signingPower: 'individual' })] },
  });
  expect(await stack.db.accessLog.count({ where: { recordId: id, action: 'read.entity-powers' } })).toBe(1);
  // The applicant does not complete the Chancellery's task.
  expect((await request(stack.app).post(`/v1/tasks/${taskId}/claim`).set(bearer(adele.token))).status).toBe(403);

  await complete(taskId, { outcome: 'approve', justification: 'signature individuelle inscrite au RC, identité vérifiée' });
  const approved = await waitFor(
    () => statusOf(adele, id),
    (s) => s.status === 'approved',
  );
  const entitySub = approved.entitySub as string;
  expect(entitySub).toBe('entity:111111118');
  const mail = await stack.mail.waitFor((m) => m.to.includes('info-111111118@example.ch'));
  expect(mail.text).toContain('Horlogerie Exemple SA');
  // The entity's contract lives like a person's: its own contract workflow.
  const contract = await stack.db.contract.findFirstOrThrow({ where: { entity: { uid: INDIVIDUAL } } });
  expect(contract).toMatchObject({ userId: null, status: 'active', identityProofRef: `commercial-register:${INDIVIDUAL}` });
  await waitFor(
    () => stack.client.workflow.getHandle(`contract/${contract.id}`).describe(),
    (d) => d.status.name === 'RUNNING',
  );

  // Adèle authorises Marc for one service.
  const notYet = await request(stack.app)
    .post('/v1/access-requests')
    .set(bearer(marc.token))
    .send({ unitId: 'SPOP', service: 'library', uid: INDIVIDUAL, email: 'info-111111118@example.ch', onBehalfOf: entitySub });
  expect(notYet.status).toBe(403);
  expect(notYet.body.error).toMatchObject({ code: 'no_mandate', message: expect.stringContaining('not among its people') });
  const authorised = await request(stack.app)
    .post(`/v1/entities/${INDIVIDUAL}/members`)
    .set(bearer(adele.token))
    .send({ sub: marc.sub, services: ['library'] });
  expect(authorised.status).toBe(200);
  expect(authorised.body).toMatchObject({ sub: marc.sub, role: 'employee', services: ['library'], status: 'active' });
  // An employee does not authorise others.
  const third = await user();
  expect(
    (
      await request(stack.app)
        .post(`/v1/entities/${INDIVIDUAL}/members`)
        .set(bearer(marc.token))
        .send({ sub: third.sub, services: ['library'] })
    ).status,
  ).toBe(403);
  // Strangers learn nothing of the entity.
  expect((await request(stack.app).get(`/v1/entities/${INDIVIDUAL}`).set(bearer(third.token))).status).toBe(404);

  const fileForCompany = (service: string, body: Record<string, unknown> = {}) =>
    request(stack.app)
      .post('/v1/access-requests')
      .set(bearer(marc.token))
      .send({ unitId: 'SPOP', service, uid: INDIVIDUAL, email: 'info-111111118@example.ch', onBehalfOf: entitySub, ...body });
  const ok = await fileForCompany('library');
  expect(ok.status).toBe(202);
  expect(await stack.db.accessRequest.findUniqueOrThrow({ where: { id: ok.body.requestId } })).toMatchObject({
    citizenSub: entitySub,
    filedBySub: marc.sub,
    uid: INDIVIDUAL,
    avsNumber: null,
  });
  expect(await stack.db.auditLog.findFirstOrThrow({ where: { recordId: ok.body.requestId, action: 'access-request.filed' } })).toMatchObject({
    actorSub: marc.sub,
    onBehalfOf: entitySub,
  });
  const otherService = await fileForCompany('archives');
  expect(otherService.status).toBe(403);
  expect(otherService.body.error.message).toContain('does not cover the service archives');
  const redirected = await fileForCompany('library', { email: 'marc@example.ch' });
  expect(redirected.status).toBe(422);
  expect(redirected.body.error.details).toEqual([{ path: 'email', issue: "must be the entity's address on the counter" }]);

  // Adèle sees her people; Marc sees only himself.
  const seen = await request(stack.app).get(`/v1/entities/${INDIVIDUAL}`).set(bearer(adele.token));
  expect(seen.body).toMatchObject({ name: 'Horlogerie Exemple SA', signingPower: 'individual', contract: { status: 'active' } });
  expect(seen.body.members.map((m: { role: string }) => m.role).sort()).toEqual(['employee', 'signatory']);
  const own = await request(stack.app).get(`/v1/entities/${INDIVIDUAL}`).set(bearer(marc.token));
  expect(own.body.members).toBeUndefined();
  expect(own.body.me).toMatchObject({ role: 'employee' });

  // End of employment: blocked at once, his next act refused with the reason.
  const blocked = await request(stack.app)
    .post(`/v1/entities/${INDIVIDUAL}/members/${encodeURIComponent(marc.sub)}/block`)
    .set(bearer(adele.token))
    .send({ reason: 'fin des rapports de travail' });
  expect(blocked.body).toMatchObject({ status: 'blocked', blockedAt: expect.any(String) });
  const refused = await fileForCompany('library');
  expect(refused.status).toBe(403);
  expect(refused.body.error).toMatchObject({ code: 'no_mandate', message: expect.stringContaining('blocked') });
  expect((await request(stack.app).get(`/v1/access-requests/${ok.body.requestId}`).set(bearer(marc.token))).status).toBe(403);
  // A signatory's power is the register's: not blocked here.
  expect(
    (
      await request(stack.app)
        .post(`/v1/entities/${INDIVIDUAL}/members/${encodeURIComponent(adele.sub)}/block`)
        .set(bearer(adele.token))
        .send({})
    ).status,
  ).toBe(409);
  // Its signatory acts on its contract as a person on hers (Art. 10.1, 13.3); an employee does not.
  expect((await request(stack.app).get(`/v1/entities/${INDIVIDUAL}/contract`).set(bearer(marc.token))).status).toBe(403);
  const noticed = await request(stack.app).post(`/v1/entities/${INDIVIDUAL}/contract/notice`).set(bearer(adele.token));
  expect(noticed.status).toBe(200);
  expect(noticed.body).toMatchObject({ status: 'terminating', noticeEndsOn: expect.any(String) });
  const withdrawn = await request(stack.app).delete(`/v1/entities/${INDIVIDUAL}/contract/notice`).set(bearer(adele.token));
  expect(withdrawn.body).toMatchObject({ status: 'active' });
  // Her own contract is another one: untouched.
  expect((await request(stack.app).get('/v1/me/contract').set(bearer(adele.token))).body.status).toBe('active');
  // One contract per entity.
  expect((await apply(adele, INDIVIDUAL)).body.error.code).toBe('already_registered');

  // Operators see the process without personal data.
  const described = await stack.client.workflow.getHandle(`entity-onboarding/${id}`).describe();
  expect(described.searchAttributes).toMatchObject({ GvsProcess: ['entity-onboarding'], GvsState: ['approved'], GvsRuleSet: ['JU-GVS-2013'] });
});

it('waits for the written contract of an entity represented collectively (Art. 13.1)', async () => {
  const adele = await user(ADELE);
  const filed = await apply(adele, COLLECTIVE);
  const id = filed.body.applicationId as string;
  const powers = await waitFor(
    () => statusOf(adele, id),
    (s) => s.status === 'awaiting-powers',
  );
  expect(powers.finding).toBe('collective');
  expect((await apply(adele, COLLECTIVE)).body.error.code).toBe('application_open');
  await complete(powers.pending.taskId, { outcome: 'approve', justification: 'signature collective à deux, avec Bernard Exemple' });
  const written = await waitFor(
    () => statusOf(adele, id),
    (s) => s.status === 'awaiting-written-contract',
  );
  expect(written.pending).toMatchObject({ kind: 'written-contract' });
  expect(await stack.db.legalEntity.count({ where: { uid: COLLECTIVE } })).toBe(0);
  const reviewer = await stack.token({ role: 'chancellery', sub: 'reviewer-entities' });
  await request(stack.app).post(`/v1/tasks/${written.pending.taskId}/claim`).set(bearer(reviewer)).expect(200);
  expect(
    (await request(stack.app).post(`/v1/tasks/${written.pending.taskId}/complete`).set(bearer(reviewer)).send({ outcome: 'record', justification: '' })).status,
  ).toBe(400);
  await request(stack.app)
    .post(`/v1/tasks/${written.pending.taskId}/complete`)
    .set(bearer(reviewer))
    .send({ outcome: 'record', justification: 'contrat écrit reçu le 2 décembre, signé par A. et B. Exemple' })
    .expect(200);
  const approved = await waitFor(
    () => statusOf(adele, id),
    (s) => s.status === 'approved',
  );
  expect(approved.entitySub).toBe('entity:222222225');
  expect(await stack.db.legalEntity.findUniqueOrThrow({ where: { uid: COLLECTIVE } })).toMatchObject({
    signingPower: 'collective',
    name: 'Atelier Exemple Sàrl',
  });
  // Its contract changes in writing, through the Chancellery: not by one signatory online.
  const alone = await request(stack.app).post(`/v1/entities/${COLLECTIVE}/contract/notice`).set(bearer(adele.token));
  expect(alone.status).toBe(403);
  expect(alone.body.error.code).toBe('written_form_required');
});

it('refuses, with reasons, a person the register does not give the power to sign; refuses bad input before anything is stored', async () => {
  const adele = await user(ADELE);
  const filed = await apply(adele, NO_POWER);
  const id = filed.body.applicationId as string;
  const waiting = await waitFor(
    () => statusOf(adele, id),
    (s) => s.status === 'awaiting-powers',
  );
  expect(waiting.finding).toBe('no-power');
  await complete(waiting.pending.taskId, { outcome: 'refuse', reasons: ["le requérant n'a pas de pouvoir de signature inscrit au registre du commerce"] });
  const refused = await waitFor(
    () => statusOf(adele, id),
    (s) => s.status === 'refused',
  );
  expect(refused.refusalReasons).toEqual(["le requérant n'a pas de pouvoir de signature inscrit au registre du commerce"]);
  await stack.mail.waitFor((m) => m.to.includes('info-555555557@example.ch') && m.text.includes('pouvoir de signature'));

  const cancelled = await apply(adele, CANCELLED);
  const gone = await waitFor(
    () => statusOf(adele, cancelled.body.applicationId),
    (s) => s.status === 'awaiting-powers',
  );
  expect(gone.finding).toBe('cancelled');

  const before = await stack.db.entityApplication.count();
  const badUid = await apply(adele, 'CHE-111.111.119');
  expect(badUid.status).toBe(400);
  expect(badUid.body.error.details[0].path).toBe('uid');
  // Someone else's certificate signing for Adèle.
  const forged = await apply(adele, 'CHE-666.666.664', { firstName: 'Marc', lastName: 'Autre' });
  expect(forged.status).toBe(422);
  expect(forged.body.error.code).toBe('signature_invalid');
  // Without a contract of one's own, no entity's.
  const stranger = await stack.token({ role: 'citizen', sub: 'nobody-on-the-counter' });
  expect((await apply({ token: stranger }, 'CHE-666.666.664')).body.error.code).toBe('no_contract');
  expect(await stack.db.entityApplication.count()).toBe(before);
});
