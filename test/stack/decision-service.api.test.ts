// Serving a decision through the API on the dev server: what a unit and a recipient rely
// on — consent, serving, opening, the remedy dates and the rule behind them, the registered
// letter's PDF, postal tracking events, and the appeal the counter refuses.
import { createHash } from 'node:crypto';
import request from 'supertest';
import { appealPeriod, localDay } from '../../domain/legal-calendar';
import { profiles } from '../../domain/profiles';
import { extractPdfText, pdfText } from '../support/pdf';
import { encryptedPdf, insertUnit, insertUser, multiPagePdf, samplePdf } from '../support/decisions';
import { startStack, waitFor, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

async function setup(domains = ['population']) {
  const user = await insertUser(stack.db);
  const unitId = await insertUnit(stack.db, { domains });
  return {
    user,
    unitId,
    citizen: await stack.token({ role: 'citizen', sub: user.sub }),
    unit: await stack.token({ role: 'unit', sub: `agent-${unitId}`, unit: unitId, domains }),
  };
}

const decisionBody = (unitId: string, recipientSub: string, reference = `REF-${Math.random().toString(36).slice(2, 10)}`) => ({
  recipientSub,
  unitId,
  domain: 'population',
  reference,
  title: 'Décision relative au permis de séjour',
  documentPdfBase64: samplePdf('Permis de sejour: decision').toString('base64'),
  remedy: { kind: 'opposition', days: 30 },
  legalRemediesText: 'Opposition dans les 30 jours auprès du Service de la population, Rue du 24-Septembre 1, 2800 Delémont, par écrit et motivée.',
});

it('serves through the counter with consent; opening sets the remedy period, with the rule that set it', async () => {
  const s = await setup();
  const consent = await request(stack.app).post('/v1/me/service-consents').set(bearer(s.citizen)).send({ unitId: s.unitId, domain: 'population' });
  expect(consent.status).toBe(201);

  const served = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(decisionBody(s.unitId, s.user.sub));
  expect(served.status).toBe(202);
  const id = served.body.decisionId as string;
  const waiting = await waitFor(
    async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.citizen))).body,
    (d) => d.state === 'awaiting-opening',
  );
  expect(waiting).toMatchObject({ channel: 'electronic', remedyPeriod: null });
  await stack.mail.waitFor((m) => m.to.includes(s.user.email));

  const opened = await request(stack.app).post(`/v1/decisions/${id}/open`).set(bearer(s.citizen));
  expect(opened.status).toBe(200);
  expect(opened.body).toMatchObject({ state: 'served', rule: 'opened in time', remedyPeriod: { start: expect.any(String), lastDay: expect.any(String) } });
  const pdf = await request(stack.app).get(`/v1/decisions/${id}/document`).set(bearer(s.citizen));
  expect(pdf.headers['content-type']).toBe('application/pdf');

  // Art. 17: no appeal through the counter; the answer says where and how.
  const appeal = await request(stack.app).post(`/v1/decisions/${id}/appeal`).set(bearer(s.citizen)).send({});
  expect(appeal.status).toBe(422);
  expect(appeal.body.error.message).toContain('Service de la population');
  expect(await stack.db.decision.count({ where: { id } })).toBe(1);
});

it('goes by post without consent: a registered letter whose PDF names the reference; tracking sets the period', async () => {
  const s = await setup();
  const body = decisionBody(s.unitId, s.user.sub, 'REF-POST-0001');
  const served = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(body);
  const id = served.body.decisionId as string;
  const waiting = await waitFor(
    async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.unit))).body,
    (d) => d.state === 'awaiting-postal-delivery',
  );
  const letter = stack.post.letters().find((l) => l.letterId === id)!;
  expect(waiting.trackingNumber).toBe(letter.trackingNumber);
  const text = await extractPdfText(stack.post.pdfOf(id)!);
  expect(text).toContain('REF-POST-0001');
  expect(text).toContain('Delémont');

  const postal = await stack.token({ role: 'postal', sub: 'post-gateway' });
  // A postal event is a fact about this letter, posted today: it cannot be later than today.
  const today = localDay(new Date(), 'Europe/Zurich');
  const event = { eventId: `evt-${id}`, trackingNumber: letter.trackingNumber, type: 'delivered', occurredOn: today };
  expect((await request(stack.app).post('/v1/postal-events').set(bearer(postal)).send(event)).status).toBe(202);
  const dup = await request(stack.app).post('/v1/postal-events').set(bearer(postal)).send(event);
  expect(dup.body.duplicate).toBe(true);
  const done = await waitFor(
    async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.unit))).body,
    (d) => d.state === 'served',
  );
  expect(done).toMatchObject({ rule: 'delivered by post', triggerDay: today, postalEvents: [{ type: 'delivered', occurredOn: today }] });
  // Counted from the next day, the féries and holidays as the legal calendar says (unit-tested with fixed dates).
  expect(done.remedyPeriod).toEqual(appealPeriod(today, 30, profiles.JU));

  // The same unit reference again: the same decision, not a second one.
  const again = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(body);
  expect(again.status).toBe(200);
  expect(again.body.decisionId).toBe(id);
  expect(await stack.db.decision.count({ where: { unitId: s.unitId, reference: 'REF-POST-0001' } })).toBe(1);
});

it('refuses a unit serving in another unit or domain, and hides a decision from everyone else', async () => {
  const s = await setup(['population']);
  expect(
    (
      await request(stack.app)
        .post('/v1/decisions')
        .set(bearer(s.unit))
        .send({ ...decisionBody(s.unitId, s.user.sub), domain: 'impots' })
    ).status,
  ).toBe(403);
  expect(
    (
      await request(stack.app)
        .post('/v1/decisions')
        .set(bearer(s.unit))
        .send({ ...decisionBody('OTHER', s.user.sub) })
    ).status,
  ).toBe(403);
  const served = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(decisionBody(s.unitId, s.user.sub));
  const id = served.body.decisionId as string;
  const stranger = await stack.token({ role: 'citizen', sub: 'someone-else' });
  expect((await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(stranger))).status).toBe(404);
  expect((await request(stack.app).post(`/v1/decisions/${id}/open`).set(bearer(stranger))).status).toBe(404);
  const otherUnit = await stack.token({ role: 'unit', sub: 'x', unit: 'OTHER', domains: ['population'] });
  expect((await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(otherUnit))).status).toBe(404);
});

it('validates the decision: not a PDF, unknown recipient', async () => {
  const s = await setup();
  const notPdf = await request(stack.app)
    .post('/v1/decisions')
    .set(bearer(s.unit))
    .send({ ...decisionBody(s.unitId, s.user.sub), documentPdfBase64: Buffer.from('hello').toString('base64') });
  expect(notPdf.status).toBe(400);
  expect(notPdf.body.error.details[0].path).toBe('documentPdfBase64');
  const nobody = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(decisionBody(s.unitId, 'not-a-user'));
  expect(nobody.status).toBe(422);
  // Just over the 5 MiB a decision PDF may weigh: refused, naming the field; far over it,
  // the body itself is refused before it is read whole (413).
  const over = (bytes: number) => ({
    ...decisionBody(s.unitId, s.user.sub),
    documentPdfBase64: Buffer.concat([samplePdf(), Buffer.alloc(bytes, 32)]).toString('base64'),
  });
  const tooBig = await request(stack.app)
    .post('/v1/decisions')
    .set(bearer(s.unit))
    .send(over(5 * 1024 * 1024 + 10_000));
  expect(tooBig.status).toBe(400);
  expect(tooBig.body.error.details[0]).toEqual({ path: 'documentPdfBase64', issue: 'at most 5 MiB of PDF' });
  const far = await request(stack.app)
    .post('/v1/decisions')
    .set(bearer(s.unit))
    .send(over(6 * 1024 * 1024));
  expect(far.status).toBe(413);
  expect(far.body.error.code).toBe('payload_too_large');
});

it('lets a citizen list and revoke consents; a revoked consent means post', async () => {
  const s = await setup();
  const c = await request(stack.app).post('/v1/me/service-consents').set(bearer(s.citizen)).send({ unitId: s.unitId, domain: 'population' });
  expect((await request(stack.app).delete(`/v1/me/service-consents/${c.body.id}`).set(bearer(s.citizen))).status).toBe(204);
  const list = await request(stack.app).get('/v1/me/service-consents').set(bearer(s.citizen));
  expect(list.body.items[0]).toMatchObject({ id: c.body.id, revokedAt: expect.any(String) });
  const served = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(decisionBody(s.unitId, s.user.sub));
  const d = await waitFor(
    async () => (await request(stack.app).get(`/v1/decisions/${served.body.decisionId}`).set(bearer(s.unit))).body,
    (x) => x.state !== 'checking-consent',
  );
  expect(d.channel).toBe('postal');
});

describe('the registered letter serves the decision (Art. 16)', () => {
  const postalToken = () => stack.token({ role: 'postal', sub: 'post-gateway' });
  const today = () => localDay(new Date(), 'Europe/Zurich');

  it('by post without consent: one PDF, the cover letter saying why, then the decision’s own pages, its file attached byte for byte', async () => {
    const s = await setup();
    const decisionPdf = await multiPagePdf('Decision SPOP permis de sejour', 2);
    const served = await request(stack.app)
      .post('/v1/decisions')
      .set(bearer(s.unit))
      .send({ ...decisionBody(s.unitId, s.user.sub, 'REF-FIRST-1'), documentPdfBase64: decisionPdf.toString('base64') });
    expect(served.status).toBe(202);
    const id = served.body.decisionId as string;
    const d = await waitFor(
      async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.unit))).body,
      (x) => x.state === 'awaiting-postal-delivery',
    );
    expect(d).toMatchObject({ channel: 'postal', channelChoice: 'auto', postalReason: 'no-consent', letterPages: 3 });

    const letter = await pdfText(stack.post.pdfOf(id)!);
    expect(letter.pages).toBe(3);
    // Page 1, the cover: what happened, truthfully, and how many pages follow.
    expect(letter.pageTexts[0]).toContain(
      "Vous n'avez pas autorisé Service de test à vous notifier par le biais du guichet virtuel sécurisé les décisions de ce domaine",
    );
    expect(letter.pageTexts[0]).toContain('La décision désignée ci-dessous vous est dès lors notifiée par le présent envoi recommandé.');
    expect(letter.pageTexts[0]).toContain('Décision jointe (2 pages)');
    expect(letter.pageTexts[0]).toContain(d.documentSha256);
    for (const untrue of ['seconde', 'délai de consultation', 'mise à votre disposition']) expect(letter.pageTexts[0]).not.toContain(untrue);
    // Pages 2 and 3: the decision itself, unchanged.
    expect(letter.pageTexts[1]).toContain('Decision SPOP permis de sejour - page 1 de 2');
    expect(letter.pageTexts[2]).toContain('Decision SPOP permis de sejour - page 2 de 2');
    // Its file, attached: the very bytes the unit served.
    expect(letter.attachments).toEqual([expect.objectContaining({ sha256: createHash('sha256').update(decisionPdf).digest('hex') })]);
    expect(d.documentSha256).toBe(createHash('sha256').update(decisionPdf).digest('hex'));
  });

  it('the unit’s choice of the ordinary forms (Art. 16.2) is recorded, shown and said; the counter needs the consent', async () => {
    const s = await setup();
    const counter = await request(stack.app)
      .post('/v1/decisions')
      .set(bearer(s.unit))
      .send({ ...decisionBody(s.unitId, s.user.sub), channel: 'counter' });
    expect(counter.status).toBe(422);
    expect(counter.body.error.details[0].path).toBe('channel');
    await request(stack.app).post('/v1/me/service-consents').set(bearer(s.citizen)).send({ unitId: s.unitId, domain: 'population' });
    const byPost = await request(stack.app)
      .post('/v1/decisions')
      .set(bearer(s.unit))
      .send({ ...decisionBody(s.unitId, s.user.sub), channel: 'post' });
    expect(byPost.status).toBe(202);
    const id = byPost.body.decisionId as string;
    const d = await waitFor(
      async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.citizen))).body,
      (x) => x.state === 'awaiting-postal-delivery',
    );
    expect(d).toMatchObject({ channelChoice: 'post', channel: 'postal', postalReason: 'unit-choice', communicatedAt: null });
    const cover = (await pdfText(stack.post.pdfOf(id)!)).pageTexts[0]!;
    expect(cover).toContain('Service de test a choisi de vous notifier cette décision selon les formes usuelles (article 16, alinéa 2');
    const withConsent = await request(stack.app)
      .post('/v1/decisions')
      .set(bearer(s.unit))
      .send({ ...decisionBody(s.unitId, s.user.sub), channel: 'counter' });
    expect(withConsent.status).toBe(202);
    expect(withConsent.body.channelChoice).toBe('counter');
  });

  it('a decision PDF that cannot go into a letter is refused when served, naming the field', async () => {
    const s = await setup();
    for (const pdf of [encryptedPdf(), Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF')]) {
      const res = await request(stack.app)
        .post('/v1/decisions')
        .set(bearer(s.unit))
        .send({ ...decisionBody(s.unitId, s.user.sub), documentPdfBase64: pdf.toString('base64') });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'unusable_pdf', details: [{ path: 'documentPdfBase64', issue: expect.any(String) }] });
    }
    expect(await stack.db.decision.count({ where: { unitId: s.unitId } })).toBe(0);
  });

  it('Art. 16.4: the recipient’s first retrieval of the document inside the window is the taking of cognizance', async () => {
    const s = await setup();
    await request(stack.app).post('/v1/me/service-consents').set(bearer(s.citizen)).send({ unitId: s.unitId, domain: 'population' });
    const served = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(decisionBody(s.unitId, s.user.sub));
    const id = served.body.decisionId as string;
    await waitFor(
      async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.citizen))).body,
      (x) => x.state === 'awaiting-opening',
    );
    // The unit reading its own decision is not the recipient's cognizance.
    expect((await request(stack.app).get(`/v1/decisions/${id}/document`).set(bearer(s.unit))).status).toBe(200);
    expect((await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.unit))).body.openedAt).toBeNull();

    const pdf = await request(stack.app).get(`/v1/decisions/${id}/document`).set(bearer(s.citizen));
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const d = (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.citizen))).body;
    expect(d).toMatchObject({ state: 'served', rule: 'opened in time', triggerDay: today(), openedAt: expect.any(String) });
    await request(stack.app).get(`/v1/decisions/${id}/document`).set(bearer(s.citizen));
    const again = await request(stack.app).post(`/v1/decisions/${id}/open`).set(bearer(s.citizen));
    expect(again.body.openedAt).toBe(d.openedAt);
    const audit = await stack.db.auditLog.findMany({ where: { recordId: id, action: { in: ['decision.document-retrieved', 'decision.opened-in-time'] } } });
    expect(audit.map((a) => a.action).sort()).toEqual(['decision.document-retrieved', 'decision.opened-in-time']);
    expect(audit.find((a) => a.action === 'decision.document-retrieved')).toMatchObject({ actorRole: 'citizen', actorSub: s.user.sub });
  });

  it('a tracking event that cannot be true of the letter is refused at the door, naming occurredOn, and nothing is stored', async () => {
    const s = await setup();
    const served = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(decisionBody(s.unitId, s.user.sub));
    const id = served.body.decisionId as string;
    const d = await waitFor(
      async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.unit))).body,
      (x) => x.state === 'awaiting-postal-delivery',
    );
    const postal = await postalToken();
    const send = (occurredOn: string) =>
      request(stack.app)
        .post('/v1/postal-events')
        .set(bearer(postal))
        .send({ eventId: `evt-${occurredOn}-${id}`, trackingNumber: d.trackingNumber, type: 'delivered', occurredOn });
    const tomorrow = new Date(Date.now() + 36 * 3600_000);
    for (const bad of ['2026-02-30', localDay(tomorrow, 'Europe/Zurich'), '2026-01-05']) {
      const res = await send(bad);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ path: 'occurredOn', issue: expect.any(String) }]);
    }
    expect(await stack.db.postalEvent.count({ where: { decisionId: id } })).toBe(0);
    const after = (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.unit))).body;
    expect(after).toMatchObject({ state: 'awaiting-postal-delivery', postalEvents: [] });
    // The process is alive and takes the true event.
    expect((await send(today())).status).toBe(202);
    await waitFor(
      async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.unit))).body,
      (x) => x.state === 'served',
    );
  });
});

describe('contact data (Art. 7.3)', () => {
  it('the user updates his e-mail and postal address; the next letter goes there; the change is kept with what it replaced', async () => {
    const s = await setup();
    const before = await request(stack.app).get('/v1/me/contact').set(bearer(s.citizen));
    expect(before.body).toEqual({
      email: s.user.email,
      address: { street: 'Rue de la Préfecture 2', postCode: '2800', locality: 'Delémont' },
      commune: 'Delémont',
    });
    const bad = await request(stack.app)
      .put('/v1/me/contact')
      .set(bearer(s.citizen))
      .send({ address: { street: 'x', postCode: '123', locality: 'y' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('address.postCode');

    const moved = { street: 'Grand-Rue 5', postCode: '2900', locality: 'Porrentruy' };
    const updated = await request(stack.app).put('/v1/me/contact').set(bearer(s.citizen)).send({ address: moved, commune: 'Porrentruy' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ email: s.user.email, address: moved, commune: 'Porrentruy' });

    const served = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(decisionBody(s.unitId, s.user.sub));
    const id = served.body.decisionId as string;
    await waitFor(
      async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.unit))).body,
      (x) => x.state === 'awaiting-postal-delivery',
    );
    expect(stack.post.letters().find((l) => l.letterId === id)!.recipient).toMatchObject({ street: 'Grand-Rue 5', postCode: '2900', locality: 'Porrentruy' });
    expect((await pdfText(stack.post.pdfOf(id)!)).pageTexts[0]).toContain('2900 Porrentruy');

    const user = await stack.db.registeredUser.findUniqueOrThrow({ where: { sub: s.user.sub }, include: { contactChanges: true } });
    expect(user.contactChanges).toEqual([
      expect.objectContaining({
        changedBy: s.user.sub,
        previous: expect.objectContaining({ address: before.body.address }),
        current: expect.objectContaining({ address: moved }),
      }),
    ]);
    const audit = await stack.db.auditLog.findFirstOrThrow({ where: { recordId: user.contactChanges[0]!.id } });
    expect(audit.action).toBe('contact.changed.address+commune');
    expect(JSON.stringify({ ...audit, id: String(audit.id) })).not.toContain('Grand-Rue');
    // Staff roles have no "my contact data": the route is the citizen's own.
    expect((await request(stack.app).put('/v1/me/contact').set(bearer(s.unit)).send({ commune: 'Delémont' })).status).toBe(403);
    // Someone without a register entry has no contact data here.
    expect(
      (
        await request(stack.app)
          .get('/v1/me/contact')
          .set(bearer(await stack.token({ role: 'citizen', sub: 'nobody-here' })))
      ).status,
    ).toBe(404);
  });
});

describe('transparency towards the person (seed 002, CPDT-JUNE)', () => {
  it('the user sees who read his data, by role and unit, and exports everything the counter holds about him; each request is logged', async () => {
    const s = await setup();
    const served = await request(stack.app)
      .post('/v1/decisions')
      .set(bearer(s.unit))
      .send(decisionBody(s.unitId, s.user.sub, 'REF-TRANSP-1'));
    const id = served.body.decisionId as string;
    await waitFor(
      async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.unit))).body,
      (x) => x.state === 'awaiting-postal-delivery',
    );
    expect((await request(stack.app).get(`/v1/decisions/${id}/document`).set(bearer(s.unit)).set('X-Access-Purpose', 'réclamation 2026/17')).status).toBe(200);

    const log = await request(stack.app).get('/v1/me/access-log').set(bearer(s.citizen));
    expect(log.status).toBe(200);
    expect(log.body.items).toEqual([
      {
        at: expect.any(String),
        role: 'unit',
        unit: s.unitId,
        action: 'read.decision-document',
        record: { type: 'decision', id },
        purpose: 'réclamation 2026/17 (stated)',
      },
      // The unit's screen polled the decision's state until the letter left: one entry that day.
      {
        at: expect.any(String),
        role: 'unit',
        unit: s.unitId,
        action: 'read.decision',
        record: { type: 'decision', id },
        purpose: 'the decision served by this unit, or the Chancellery supervising its service',
      },
    ]);
    expect(JSON.stringify(log.body)).not.toContain(`agent-${s.unitId}`); // the staff member's own id stays with the unit

    const json = await request(stack.app).get('/v1/me/export').set(bearer(s.citizen));
    expect(json.status).toBe(200);
    expect(json.body.userRegister).toMatchObject({ email: s.user.email, firstName: 'Jeanne', lastName: 'Destinataire', address: { locality: 'Delémont' } });
    expect(json.body.decisions).toEqual([expect.objectContaining({ decisionId: id, reference: 'REF-TRANSP-1', documentSha256: served.body.documentSha256 })]);
    expect(json.body.readsByStaff).toHaveLength(2);

    const pdf = await request(stack.app)
      .get('/v1/me/export.pdf')
      .set(bearer(s.citizen))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = (await pdfText(pdf.body as Buffer)).text;
    expect(text).toContain('Vos données au guichet virtuel sécurisé');
    expect(text).toContain('Jeanne Destinataire');
    expect(text).toContain('REF-TRANSP-1');
    expect(text).toContain(`unit (${s.unitId}): read.decision-document`);

    // More polls the same day add nothing; another reader (the Chancellery) is logged on its own.
    for (let i = 0; i < 3; i++) expect((await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.unit))).status).toBe(200);
    const chancellery = await stack.token({ role: 'chancellery', sub: 'supervisor-1' });
    expect((await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(chancellery))).status).toBe(200);
    const views = (await request(stack.app).get('/v1/me/access-log').set(bearer(s.citizen))).body.items.filter(
      (i: { action: string }) => i.action === 'read.decision',
    );
    expect(views.map((v: { role: string }) => v.role)).toEqual(['chancellery', 'unit']);

    for (const path of ['/v1/me/access-log', '/v1/me/export', '/v1/me/export.pdf'])
      expect((await request(stack.app).get(path).set(bearer(s.unit))).status).toBe(403);
    // Another citizen sees his own (empty) log, never this one's.
    const other = await stack.token({ role: 'citizen', sub: `other-${s.user.sub}` });
    expect((await request(stack.app).get('/v1/me/access-log').set(bearer(other))).body.items).toEqual([]);
    const own = await stack.db.accessLog.findMany({ where: { actorSub: s.user.sub, recordType: 'person' }, orderBy: { id: 'asc' } });
    expect(own.map((a) => a.action)).toEqual(['read.own-access-log', 'export.json', 'export.pdf', 'read.own-access-log']);
  });
});
