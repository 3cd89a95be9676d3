// HTTP adapter for the SMS provider that carries sign-in codes (NE 4.1: "un code reçu par SMS")
// and one-time transaction codes (NE 4.5). It speaks Twilio's Programmable Messaging API,
// `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with form fields To, From and Body and
// Basic credentials; fakes/sms/ speaks the same, and its README says which parts we follow. The
// API sends through it (app/sign-in.ts, app/transaction-codes.ts: any failure there answers 503);
// inside an activity, the way it fails decides what Temporal does: a thrown plain Error is
// retried (a provider down or slow only delays the code), an ApplicationFailure.nonRetryable
// stops retrying (a number or text the provider refuses, credentials it refuses, an answer we
// cannot read). A phone number and a message text are personal data, and the text holds a
// secret code: no message of this module carries either, nor the provider's own error text
// (Twilio's repeats the number); only HTTP statuses and Twilio's numeric error codes.
//
// Twilio's Messages API has no idempotency key: a request that timed out may still have been
// sent, and the retry sends a second SMS. The caller therefore makes the code before the
// activity (its input), so that a repeated SMS carries the same code.
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';

export interface SmsGateway {
  /** Sends `text` to `to` (E.164, e.g. +41791234567); the provider's id of the message. */
  send(to: string, text: string): Promise<{ messageId: string }>;
}

export interface HttpSmsGatewayConfig {
  /** The API's base, e.g. https://api.twilio.com or http://127.0.0.1:4070 */
  url: string;
  /** The AccountSid in the path; default `user` (when the Basic user is the AccountSid itself). */
  accountId?: string;
  /** Basic credentials: the AccountSid and its auth token, or an API key's SID and secret. */
  user: string;
  password: string;
  /** The From: an alphanumeric sender ID (at most 11 characters) or an E.164 number of the account. */
  sender: string;
  /** per message, connection and body included */
  timeoutMs: number;
}

export const SMS_PROTOCOL_ERROR = 'SmsProtocolError';

const LABEL = 'SMS gateway';

/** Twilio's Message resource: the fields we use; the many others are ignored. */
const messageBody = z.object({
  sid: z.string().regex(/^SM[0-9a-fA-F]{32}$/),
  to: z.string(),
  status: z.string().min(1),
});
/** Twilio's error body: its numeric code is safe to report, its message is not. */
const errorBody = z.object({ code: z.number().int() });

function protocolError(what: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${LABEL}: ${what}`, SMS_PROTOCOL_ERROR);
}

/** Why a fetch failed, without the request. As in activities/commercial-register.ts. */
function transportReason(err: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors (DOMException, TypeError) may come from another realm (jest).
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; cause?: { code?: unknown } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return typeof e.cause?.code === 'string' ? `unreachable (${e.cause.code})` : 'unreachable';
}

/** ", code 21211" when the body is Twilio's error shape, else nothing. */
function twilioCode(text: string): string {
  try {
    const parsed = errorBody.safeParse(JSON.parse(text));
    return parsed.success ? `, code ${parsed.data.code}` : '';
  } catch {
    return '';
  }
}

export function createHttpSmsGateway({ url, accountId, user, password, sender, timeoutMs }: HttpSmsGatewayConfig): SmsGateway {
  const endpoint = `${url.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountId || user)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

  return {
    async send(to: string, text: string): Promise<{ messageId: string }> {
      const signal = AbortSignal.timeout(timeoutMs);
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers: { authorization, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ To: to, From: sender, Body: text }).toString(),
          signal,
        });
      } catch (err) {
        throw new Error(`${LABEL}: ${transportReason(err, timeoutMs)}`);
      }
      let answer: string;
      try {
        answer = await res.text();
      } catch (err) {
        throw new Error(`${LABEL}: ${transportReason(err, timeoutMs)} (while reading the answer)`);
      }
      if (res.status === 400 || res.status === 422) {
        // A malformed or non-mobile number, a sender or body the provider refuses: asking again
        // sends the same. Twilio's code says which (21211, 21614, 21617, …).
        throw protocolError(`message rejected (HTTP ${res.status}${twilioCode(answer)})`);
      }
      if (res.status === 401 || res.status === 403) {
        // Wrong credentials will not get better by asking again; an operator fixes them.
        throw protocolError(`credentials refused (HTTP ${res.status}${twilioCode(answer)})`);
      }
      if (res.status === 404) {
        // Unlike the registers' 404 (an entity not there): here it is the account in the path
        // or the base URL, both configuration.
        throw protocolError(`account or endpoint not found (HTTP 404${twilioCode(answer)})`);
      }
      if (!res.ok) {
        // 5xx, 429 (Twilio's rate limit, code 20429): retryable.
        throw new Error(`${LABEL}: HTTP ${res.status}${res.status >= 500 ? ' (provider unavailable)' : ''}${twilioCode(answer)}`);
      }
      let json: unknown;
      try {
        json = JSON.parse(answer);
      } catch {
        throw protocolError('answer is not JSON');
      }
      const parsed = messageBody.safeParse(json);
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))].join(', ');
        throw protocolError(`invalid answer (${fields})`);
      }
      if (parsed.data.to !== to) throw protocolError('answer is about another number');
      // A message Twilio took but already knows it cannot deliver.
      if (parsed.data.status === 'failed' || parsed.data.status === 'undelivered') throw protocolError(`message ${parsed.data.status}`);
      return { messageId: parsed.data.sid };
    },
  };
}
