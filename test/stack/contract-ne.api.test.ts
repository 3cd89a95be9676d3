// Neuchâtel's terms changes through the API (NE 9): a published version is communicated to
// every user, by e-mail and to the contract's workflow; nothing waits for an acceptance, the
// contract stays active, and the acceptance and refusal routes answer 409.
import request from 'supertest';
import { formatSwissDate } from '../../activities/mail-templates';
import { createTemporalContractEngine } from '../../app/gateways';
import { addDays, localDay } from '../../domain/days';
import { profiles } from '../../domain/profiles';
import { rolloutProgressQuery, termsRolloutWorkflowId } from '../../workflows/terms-rollout/definitions';
import { insertContract } from '../support/contracts';
import { startStack, waitFor, type Stack } from '../support/stack';

let stack: Stack;

beforeAll(async () => {
  // Its own database: a rollout reaches every contract of the canton.
  stack = await startStack({ canton: 'NE', ownDatabase: true });
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const today = () => localDay(new Date(), 'Europe/Zurich');
const myContract = async (token: string) => (await request(stack.app).get('/v1/me/contract').set(bearer(token))).body;

it('a new version is communicated: the user is e-mailed that it applies from its effective day, stays active, and has nothing to accept (409)', async () => {
  const c = await insertContract(stack.db, { canton: 'NE' });
  await createTemporalContractEngine(stack.client, stack.taskQueue, profiles.NE.ruleSet.id).start({
    contractId: c.contractId,
    canton: 'NE',
    startedOn: today(),
    termsVersion: 'CGU-2025-03',
  });
  const token = await stack.token({ role: 'citizen', sub: c.sub });
  const version = `ne9-${Date.now()}`;
  const effectiveOn = addDays(today(), 10);

  const staff = await stack.token({ role: 'chancellery', sub: 'staff-chancellery-1' });
  const text = `Conditions générales, version ${version}.`;
  const published = await request(stack.app)
    .post('/v1/terms-versions')
    .set(bearer(staff))
    .send({ version, title: 'Conditions générales', document: { text }, effectiveOn });
  expect(published.status).toBe(201);
  await waitFor(
    () => stack.client.workflow.getHandle(termsRolloutWorkflowId(version)).query(rolloutProgressQuery),
    (p) => p.done,
    60_000,
  );

  const mail = await waitFor(
    async () => stack.mail.messages.find((m) => m.to.includes(c.email) && m.subject.includes(`version ${version}`)),
    (m) => m !== undefined,
  );
  expect(mail!.subject).toContain('Guichet unique');
  expect(mail!.text).toContain(`Elles s'appliquent dès le ${formatSwissDate(effectiveOn)}`);
  expect(mail!.text).toContain('ch. 9');
  expect(mail!.text).toContain('Neuchâtel');
  expect(mail!.text).not.toMatch(/signature électronique qualifiée|restreinte|bloquée|Jura|Delémont/);

  const s = await waitFor(
    () => myContract(token),
    (b) => b.acceptedTermsVersion === version,
  );
  expect(s).toMatchObject({ status: 'active', reason: null, pendingTerms: null, refusalTaskId: null });

  const accepted = await request(stack.app)
    .post('/v1/me/terms-acceptances')
    .set(bearer(token))
    .send({
      version,
      documentSha256: published.body.documentSha256,
      signatureValue: await stack.qes.sign(Buffer.from(text), { firstName: 'Essai', lastName: 'Contrat' }),
    });
  expect(accepted.status).toBe(409);
  expect(accepted.body.error).toMatchObject({ code: 'terms_not_accepted_here', message: expect.stringContaining('nothing to accept') });
  const refused = await request(stack.app).post('/v1/me/terms-refusals').set(bearer(token)).send({ version });
  expect(refused.status).toBe(409);
  expect(refused.body.error.code).toBe('terms_not_accepted_here');
  expect(await myContract(token)).toMatchObject({ status: 'active', pendingTerms: null });
  expect((await stack.db.contract.findUniqueOrThrow({ where: { id: c.contractId } })).status).toBe('active');
});
