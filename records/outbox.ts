// "Send this e-mail once": the outbox row is the proof it went out. A retried activity finds
// the row sent and sends nothing; a crash between the send and the mark resends with the
// same Message-ID, which mail clients show once.
import type { Db } from '../infra/db';
import { ERASED, type RecordRefPair } from './audit';
import { isUniqueViolation } from './unique';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Stable Message-ID, so a resent message is recognisable as the same one. */
  messageId: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export interface OutboxMail {
  /** The outbox row's id, unique per message: `<record>:<what>` */
  id: string;
  template: string;
  recordType: string;
  recordId: string;
  /** Reads the recipient and renders the message; called only when it has not gone out yet. */
  compose(): Promise<{ to: string; subject: string; text: string; html?: string }>;
}

/** The failure type a mailer throws when the relay refuses a message for good (activities/mailer.ts). */
export const MAIL_REJECTED = 'MailRejected';

/**
 * - `sent`: it went out now;
 * - `already-sent`: it had gone out before (a retry);
 * - `rejected`: the relay refused it for good, now or before: recorded, never tried again, and
 *   the caller goes on (a refused address must not stop a process).
 */
export type SendOutcome = 'sent' | 'already-sent' | 'rejected';

/** Sends the message unless its outbox row says it went out or was refused for good. */
export async function sendOnce(db: Pick<Db, 'mailOutbox'>, mailer: Mailer, mail: OutboxMail): Promise<SendOutcome> {
  // The row first (one statement: most messages are new); a retry finds it there.
  try {
    await db.mailOutbox.create({ data: { id: mail.id, template: mail.template, recordType: mail.recordType, recordId: mail.recordId }, select: { id: true } });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const row = await db.mailOutbox.findUniqueOrThrow({ where: { id: mail.id }, select: { sentAt: true, rejectedAt: true } });
    if (row.sentAt) return 'already-sent';
    if (row.rejectedAt) return 'rejected';
  }
  const message = await mail.compose();
  try {
    await mailer.send({ ...message, messageId: `<${mail.id}@guichet.local>` });
  } catch (err) {
    if ((err as { type?: unknown }).type !== MAIL_REJECTED) throw err; // a transient failure: retried
    await db.mailOutbox.update({ where: { id: mail.id }, data: { rejectedAt: new Date(), rejection: (err as Error).message.slice(0, 500) } });
    return 'rejected';
  }
  await db.mailOutbox.update({ where: { id: mail.id }, data: { sentAt: new Date() } });
  return 'sent';
}

/**
 * The outbox rows about destroyed records lose their free text (the relay's answer). The
 * rows hold no address, subject or body (the message is composed when sent, from the
 * record): what stays is that a message of this template went out, or was refused, and when.
 * Returns the number of rows changed.
 */
export async function scrubOutbox(db: Pick<Db, 'mailOutbox'>, about: RecordRefPair[]): Promise<number> {
  if (about.length === 0) return 0;
  const { count } = await db.mailOutbox.updateMany({
    where: { OR: about.map(({ recordType, recordId }) => ({ recordType, recordId })), rejection: { not: null }, NOT: { rejection: ERASED } },
    data: { rejection: ERASED },
  });
  return count;
}
