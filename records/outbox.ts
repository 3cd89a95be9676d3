// "Send this e-mail once": the outbox row is the proof it went out. A retried activity finds
// the row sent and sends nothing; a crash between the send and the mark resends with the
// same Message-ID, which mail clients show once.
import type { Db } from '../infra/db';

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

/** Sends the message unless its outbox row says it went out; true when it was sent now. */
export async function sendOnce(db: Pick<Db, 'mailOutbox'>, mailer: Mailer, mail: OutboxMail): Promise<boolean> {
  const row = await db.mailOutbox.findUnique({ where: { id: mail.id } });
  if (row?.sentAt) return false;
  if (!row) {
    await db.mailOutbox.upsert({ where: { id: mail.id }, create: { id: mail.id, template: mail.template, recordType: mail.recordType, recordId: mail.recordId }, update: {} });
  }
  const message = await mail.compose();
  await mailer.send({ ...message, messageId: `<${mail.id}@guichet.local>` });
  await db.mailOutbox.update({ where: { id: mail.id }, data: { sentAt: new Date() } });
  return true;
}
