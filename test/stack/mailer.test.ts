// The SMTP mailer against a real SMTP server: what arrives, and how failures reach
// Temporal (a permanent refusal stops the retries; a server that is down is retried).
import { ApplicationFailure } from '@temporalio/common';
import { createSmtpMailer } from '../../activities/mailer';
import type { MailMessage } from '../../activities/ports';
import { freePort } from '../../scripts/lib/ports';
import { startSmtpCatcher, type SmtpCatcher } from '../support/smtp-catcher';

const FROM = '"Guichet virtuel sécurisé" <guichet@jura.example>';
const REJECTED = 'inconnu@jura.example';

const message = (over: Partial<MailMessage> = {}): MailMessage => ({
  to: 'amelie.theubet@example.ch',
  subject: 'Accès au guichet : vérifié à Delémont',
  text: 'Votre demande a été approuvée ; le contrat prend effet le 1er décembre 2026. Déjà là, très bien, à bientôt.',
  html: '<p>Votre demande a été approuvée. Déjà là, à bientôt.</p>',
  messageId: '<onboarding-approved.app-42@guichet.jura.example>',
  ...over,
});

let catcher: SmtpCatcher;
let mailer: ReturnType<typeof createSmtpMailer>;

beforeAll(async () => {
  catcher = await startSmtpCatcher({ rejectRecipients: [REJECTED] });
  mailer = createSmtpMailer({ smtpUrl: catcher.url, from: FROM });
});

afterAll(async () => {
  mailer?.close();
  await catcher?.close();
});

/** The error a failed send rejects with. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the send to fail');
}

test('delivers to the recipient with subject, text, html, UTF-8 accents and our Message-ID', async () => {
  const sent = message();

  await mailer.send(sent);

  const mail = await catcher.waitFor((m) => m.messageId === sent.messageId);
  expect(mail.to).toEqual(['amelie.theubet@example.ch']);
  expect(mail.from).toContain('guichet@jura.example');
  expect(mail.subject).toBe('Accès au guichet : vérifié à Delémont');
  expect(mail.text.trim()).toBe(sent.text);
  expect(mail.text).toMatch(/é.*è.*à/s);
  expect(mail.html).toContain('Déjà là, à bientôt.');
});

test('a resend carries the same Message-ID, so it is recognisable as the same message', async () => {
  const sent = message({ messageId: '<onboarding-refused.app-43@guichet.jura.example>' });

  await mailer.send(sent);
  await mailer.send(sent);

  // send() resolves once the server has accepted the data, so both are caught by now.
  expect(catcher.messages.filter((m) => m.messageId === sent.messageId)).toHaveLength(2);
});

test('a message id without angle brackets still becomes a valid Message-ID header', async () => {
  await mailer.send(message({ messageId: 'task-reminder.t-7.1@guichet.jura.example', html: undefined }));

  const mail = await catcher.waitFor((m) => m.messageId === '<task-reminder.t-7.1@guichet.jura.example>');
  expect(mail.html).toBeNull();
});

test('a permanent rejection (550) is a non-retryable MailRejected failure, without the address or body', async () => {
  const err = await failure(mailer.send(message({ to: REJECTED })));

  expect(err).toBeInstanceOf(ApplicationFailure);
  const af = err as ApplicationFailure;
  expect(af.nonRetryable).toBe(true);
  expect(af.type).toBe('MailRejected');
  expect(af.message).toContain('550');
  expect(af.message).not.toContain(REJECTED);
  expect(af.message).not.toContain('inconnu');
  expect(af.message).not.toContain('approuvée');
  expect(af.cause).toBeUndefined();
});

test('the pool keeps working after a rejection', async () => {
  await failure(mailer.send(message({ to: REJECTED })));
  const sent = message({ messageId: '<after-rejection@guichet.jura.example>' });

  await mailer.send(sent);

  await expect(catcher.waitFor((m) => m.messageId === sent.messageId)).resolves.toMatchObject({ to: ['amelie.theubet@example.ch'] });
});

test('an SMTP server that is down gives a plain, retryable Error, without the address', async () => {
  const down = createSmtpMailer({ smtpUrl: `smtp://127.0.0.1:${await freePort()}`, from: FROM });
  try {
    const err = await failure(down.send(message()));

    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect(err.message).not.toContain('amelie');
    expect(err.message).not.toContain('approuvée');
    expect(err.message).toMatch(/SMTP send failed/);
  } finally {
    down.close();
  }
});
