/**
 * The Mailer port over SMTP (nodemailer, one pooled transport per worker).
 * Failures are sorted for Temporal's retry policy: a permanent refusal of this message
 * (5xx on the envelope or the data) is non-retryable; anything else (server down,
 * timeouts, 4xx "try later", authentication) is a plain Error, retried.
 * Error messages carry SMTP codes only: never the recipient, never the body.
 */
import { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { Mailer, MailMessage } from './ports';

export interface SmtpMailerOptions {
  /** smtp://[user:pass@]host[:port] or smtps://…, with nodemailer's query options. */
  smtpUrl: string;
  /** The From header, e.g. `"Guichet virtuel sécurisé" <guichet@jura.ch>`. */
  from: string;
}

/** The failure type a workflow sees when the server refuses the message for good. */
export { MAIL_REJECTED } from '../records/outbox';
import { MAIL_REJECTED } from '../records/outbox';

interface SmtpError {
  code?: unknown;
  responseCode?: unknown;
  command?: unknown;
}

export function createSmtpMailer({ smtpUrl, from }: SmtpMailerOptions): Mailer & { close(): void } {
  const options: SMTPPool.Options = {
    // Timeouts well under an activity's start-to-close, so a hung server is a retry, not a stall.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 60_000,
    ...parseConnectionUrl(smtpUrl),
    pool: true,
    maxConnections: 5,
    // nodemailer's logger would print addresses; keep it off.
    logger: false,
    debug: false,
    // Messages are built from our templates: never let a field pull in a file or a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const transport = nodemailer.createTransport(options, { from });

  return {
    async send(message: MailMessage): Promise<void> {
      try {
        await transport.sendMail({
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html === undefined ? {} : { html: message.html }),
          // The caller's stable id as the Message-ID header: a retried send after a lost
          // reply carries the same id, so the recipient's client sees one message.
          messageId: message.messageId,
        });
      } catch (err) {
        throw classify(err);
      }
    },
    close(): void {
      transport.close();
    },
  };
}

/** Rebuilds the error from its SMTP codes only: nodemailer's own message quotes the server reply, which names the recipient. */
function classify(err: unknown): Error {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const command = typeof e.command === 'string' ? e.command : undefined;
  const detail = [code, responseCode, command && `at ${command}`].filter(Boolean).join(' ') || 'unknown error';

  // EENVELOPE / EMESSAGE are about this message (sender, recipient, content). With a 5xx
  // reply, or refused by nodemailer before sending (invalid address: no reply at all),
  // sending it again cannot succeed. A 4xx is the server saying "later": retry.
  const aboutThisMessage = code === 'EENVELOPE' || code === 'EMESSAGE';
  const permanent = aboutThisMessage && (responseCode === undefined || (responseCode >= 500 && responseCode < 600));
  if (permanent) {
    return ApplicationFailure.nonRetryable(`SMTP rejected the message permanently (${detail})`, MAIL_REJECTED);
  }
  return new Error(`SMTP send failed, will retry (${detail})`);
}
