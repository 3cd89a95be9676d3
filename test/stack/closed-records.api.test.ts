// A finished case is read from its record, not by replaying its workflow (issue 20): the API
// asks the server for a running workflow's answer only, and the server refuses the query of a
// closed one without handing it to a worker. Proved with no worker left at all: a closed
// workflow's query would wait for one to replay its history, the API answers at once.
import request from 'supertest';
import { testPeople } from '../support/applications';
import { signedApplication } from '../support/eid';
import { startStack, type Stack } from '../support/stack';
import { onboardingWorkflowId, stateQuery } from '../../workflows/onboarding/definitions';

const { people, fixturePath } = testPeople({ closedReader: { firstName: 'Fermina' } });
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ fixturePath });
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

it('answers a finished application from its record while no worker runs', async () => {
  const token = await stack.token({ role: 'citizen', sub: 'closed-reader' });
  const filed = await request(stack.app)
    .post('/v1/onboarding/applications')
    .set(bearer(token))
    .send(await signedApplication(stack, token, people.closedReader!, 'close.reader@example.ch'));
  expect(filed.status).toBe(202);
  const applicationId = filed.body.applicationId as string;
  const handle = stack.client.workflow.getHandle(onboardingWorkflowId(applicationId));
  await handle.result(); // approved: the workflow has completed
  await stack.stopWorkers();

  // What a query of the closed workflow does: it waits for a worker to replay it, here past its deadline.
  const waited = await stack.client.connection
    .withDeadline(Date.now() + 3_000, () => handle.query(stateQuery))
    .then(
      () => 'answered',
      (err: Error & { cause?: { code?: number } }) => err.cause?.code,
    );
  expect(waited).toBe(4); // gRPC DEADLINE_EXCEEDED

  const res = await request(stack.app).get(`/v1/onboarding/applications/${applicationId}`).set(bearer(token)).timeout(10_000);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ applicationId, status: 'approved', pending: null });
});
