// The inbox API the workspace stands on: filters, keyset paging both ways, views saved per
// person, and live changes as server-sent events (PostgreSQL NOTIFY → the API → the stream).
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
let anne: string;
let marc: string;
// Rows of this file only: other suites share the database and its inbox.
const commune = `Inbox-${randomUUID().slice(0, 8)}`;
const base = Date.parse('2031-03-01T08:00:00Z');
const ids: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  anne = await stack.token({ role: 'chancellery', sub: 'inbox-anne' });
  marc = await stack.token({ role: 'chancellery', sub: 'inbox-marc' });
  // 23 tasks an hour apart; two share a due time (the id breaks the tie); kinds, claims and cantons vary.
  const rows = Array.from({ length: 23 }, (_, i) => {
    const id = `${randomUUID()}-review`;
    ids.push(id);
    return {
      id,
      kind: i % 3 === 0 ? 'formal-decision' : 'review',
      status: i === 22 ? 'completed' : 'open',
      workflowId: `onboarding/${id}`,
      canton: i % 5 === 0 ? 'NE' : 'JU',
      commune,
      subject: `test ${i}`,
      claimedBy: i % 4 === 0 ? 'inbox-anne' : null,
      dueAt: new Date(base + Math.min(i, 20) * 3600_000),
      createdAt: new Date(base - 86_400_000),
    };
  });
  await stack.db.task.createMany({ data: rows });
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
type Page = {
  items: Array<{ taskId: string; dueAt: string; kind: string; canton: string; claimedBy: string | null; status: string }>;
  nextCursor: string | null;
};
const list = async (query: Record<string, string | number>, token = anne) => {
  const res = await request(stack.app)
    .get('/v1/tasks')
    .query({ commune, ...query })
    .set(bearer(token));
  expect(res.status).toBe(200);
  return res.body as Page;
};
async function all(query: Record<string, string | number>): Promise<Page['items']> {
  const out: Page['items'] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await list({ ...query, limit: 4, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe('filters and paging', () => {
  it('pages by keyset through every open task exactly once, soonest due first or last', async () => {
    const asc = await all({});
    expect(asc).toHaveLength(22);
    expect(new Set(asc.map((t) => t.taskId)).size).toBe(22);
    const key = (t: Page['items'][number]) => `${t.dueAt}|${t.taskId}`;
    expect(asc.map(key)).toEqual([...asc.map(key)].sort());
    const desc = await all({ order: 'desc' });
    expect(desc.map((t) => t.taskId)).toEqual([...asc].reverse().map((t) => t.taskId));
  });

  it('filters by kind, canton, claim and state', async () => {
    expect((await all({ kind: 'formal-decision' })).every((t) => t.kind === 'formal-decision')).toBe(true);
    expect(await all({ kind: 'formal-decision' })).toHaveLength(8);
    expect((await all({ canton: 'NE' })).map((t) => t.canton)).toEqual(['NE', 'NE', 'NE', 'NE', 'NE']);
    expect((await all({ claimedBy: 'me' })).every((t) => t.claimedBy === 'inbox-anne')).toBe(true);
    expect(await all({ claimedBy: 'me' })).toHaveLength(6);
    expect(await all({ claimedBy: 'none' })).toHaveLength(16);
    expect((await list({ status: 'completed' })).items.map((t) => t.taskId)).toEqual([ids[22]]);
    // Marc has claimed nothing.
    expect((await list({ claimedBy: 'me' }, marc)).items).toEqual([]);
    // Due in 2031: none is overdue yet.
    expect((await list({ overdue: 'true' })).items).toEqual([]);
  });

  it('refuses a bad filter or a cursor of the other order, naming the field', async () => {
    const bad = await request(stack.app).get('/v1/tasks').query({ canton: 'ZH' }).set(bearer(anne));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('canton');
    const { nextCursor } = await list({ limit: 2 });
    const other = await request(stack.app).get('/v1/tasks').query({ commune, order: 'desc', cursor: nextCursor! }).set(bearer(anne));
    expect(other.status).toBe(400);
    expect(other.body.error.details).toEqual([{ path: 'cursor', issue: expect.stringContaining('asc') }]);
    expect((await request(stack.app).get('/v1/tasks').query({ cursor: 'garbage' }).set(bearer(anne))).status).toBe(400);
  });
});

describe('saved views', () => {
  it('keeps views per person on the server, with field errors and conflicts', async () => {
    const created = await request(stack.app)
      .post('/v1/me/views')
      .set(bearer(anne))
      .send({ name: 'Mes examens', filters: { kind: 'review', claimedBy: 'none', commune } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Mes examens', filters: { kind: 'review', claimedBy: 'none', commune, status: 'open', order: 'asc' } });
    const id = created.body.id as string;

    const again = await request(stack.app).post('/v1/me/views').set(bearer(anne)).send({ name: 'Mes examens', filters: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.details[0].path).toBe('name');
    const badFilter = await request(stack.app)
      .post('/v1/me/views')
      .set(bearer(anne))
      .send({ name: 'x', filters: { kind: 'holiday' } });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error.details[0].path).toBe('filters.kind');
    const noName = await request(stack.app).post('/v1/me/views').set(bearer(anne)).send({ name: ' ', filters: {} });
    expect(noName.body.error.details[0]).toEqual({ path: 'name', issue: 'a view needs a name' });

    // Marc neither sees nor changes Anne's views.
    expect((await request(stack.app).get('/v1/me/views').set(bearer(marc))).body.items).toEqual([]);
    expect((await request(stack.app).put(`/v1/me/views/${id}`).set(bearer(marc)).send({ name: 'mine', filters: {} })).status).toBe(404);
    expect((await request(stack.app).delete(`/v1/me/views/${id}`).set(bearer(marc))).status).toBe(404);

    const renamed = await request(stack.app)
      .put(`/v1/me/views/${id}`)
      .set(bearer(anne))
      .send({ name: 'Examens non attribués', filters: { kind: 'review', claimedBy: 'none' } });
    expect(renamed.status).toBe(200);
    expect((await request(stack.app).get('/v1/me/views').set(bearer(anne))).body.items.map((v: { name: string }) => v.name)).toEqual(['Examens non attribués']);
    expect((await request(stack.app).delete(`/v1/me/views/${id}`).set(bearer(anne))).status).toBe(204);
    expect((await request(stack.app).get('/v1/me/views').set(bearer(anne))).body.items).toEqual([]);
    // A citizen has no inbox.
    expect(
      (
        await request(stack.app)
          .get('/v1/me/views')
          .set(bearer(await stack.token({ role: 'citizen' })))
      ).status,
    ).toBe(403);
  });
});

describe('live changes', () => {
  let server: Server;
  afterAll(() => new Promise((r) => server?.close(r)));

  it('streams a colleague’s claim as an event with ids and states only', async () => {
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as { port: number };
    const abort = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/v1/tasks/events`, { headers: bearer(anne), signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(text)) {
        if (Date.now() > deadline) throw new Error(`no ${String(pattern)} in ${JSON.stringify(text)}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += value;
      }
    };
    await until(/^retry: \d+/m);

    await stack.db.task.update({ where: { id: ids[1] }, data: { claimedBy: 'inbox-marc', claimedAt: new Date() } });
    await until(new RegExp(`event: task\\ndata: \\{[^\\n]*"taskId":"${ids[1]}"[^\\n]*\\}\\n\\n`));
    const events = [...text.matchAll(/event: task\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
    const data = events.find((e) => e.taskId === ids[1]);
    expect(data).toEqual({
      op: 'update',
      taskId: ids[1],
      kind: 'review',
      status: 'open',
      claimedBy: 'inbox-marc',
      outcome: null,
      dueAt: new Date(base + 3600_000).toISOString(),
      canton: 'JU',
      commune,
      applicationId: null,
      contractId: null,
    });
    abort.abort();
    // Not for other roles.
    expect((await fetch(`http://127.0.0.1:${port}/v1/tasks/events`, { headers: bearer(await stack.token({ role: 'unit', unit: 'SPOP' })) })).status).toBe(403);
  });

  it('ends the stream when the token that opened it expires', async () => {
    const { port } = server.address() as { port: number };
    const shortLived = await stack.token({ role: 'chancellery', sub: 'inbox-short', ttl: '4s' });
    const res = await fetch(`http://127.0.0.1:${port}/v1/tasks/events`, { headers: bearer(shortLived) });
    expect(res.status).toBe(200);
    const opened = Date.now();
    const text = await res.text(); // resolves only when the server ends the stream
    expect(text).toContain('event: token-expired');
    expect(Date.now() - opened).toBeLessThan(8_000);
    expect((await fetch(`http://127.0.0.1:${port}/v1/tasks/events`, { headers: bearer(shortLived) })).status).toBe(401);
  });
});
