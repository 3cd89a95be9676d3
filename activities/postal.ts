// HTTP adapter for the postal service's gateway for registered letters (fakes/postal/ speaks
// the same API): the second service of a decision not opened in time (Art. 16 al. 5). It runs
// inside an activity, so the way it fails decides what Temporal does: a thrown plain Error is
// retried (a gateway down for hours just delays the letter), an ApplicationFailure.nonRetryable
// stops retrying (a letter the gateway rejects, or an answer we cannot read, will not get
// better by asking again). Posting is idempotent on letterId, so a retry after a lost answer
// posts nothing twice. No error message carries the recipient's name or address.
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';

export interface PostalRecipient {
  name: string;
  street: string;
  postCode: string;
  locality: string;
}

export interface RegisteredLetter {
  /** Ours, stable across retries: the gateway answers the same tracking number for it. */
  letterId: string;
  recipient: PostalRecipient;
  pdf: Buffer;
}

export interface PostalGateway {
  /** Posts a registered letter; resolves once the gateway has accepted it. */
  sendRegistered(letter: RegisteredLetter): Promise<{ trackingNumber: string }>;
}

export interface HttpPostalConfig {
  /** e.g. http://127.0.0.1:4020 */
  url: string;
  /** per request, connection and body included */
  timeoutMs: number;
}

export const POSTAL_PROTOCOL_ERROR = 'PostalProtocolError';
const LABEL = 'postal gateway';

const acceptedBody = z.object({ letterId: z.string(), trackingNumber: z.string().regex(/^[0-9A-Z][0-9A-Z.\- ]{5,40}$/) });
const problemBody = z.object({ fields: z.array(z.string()).optional() });

function protocolError(what: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${LABEL}: ${what}`, POSTAL_PROTOCOL_ERROR);
}

/** Why a fetch failed, without the request. */
function transportReason(err: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors (DOMException, TypeError) may come from another realm (jest).
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; cause?: { code?: unknown } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return typeof e.cause?.code === 'string' ? `unreachable (${e.cause.code})` : 'unreachable';
}

/** The field names a 400 names (never values), for the error message. */
function rejectedFields(text: string): string {
  try {
    const p = problemBody.safeParse(JSON.parse(text));
    const fields = p.success ? (p.data.fields ?? []).filter((f) => /^[\w.[\]-]{1,60}$/.test(f)) : [];
    return fields.length > 0 ? ` (${fields.join(', ')})` : '';
  } catch {
    return '';
  }
}

export function createHttpPostalGateway({ url, timeoutMs }: HttpPostalConfig): PostalGateway {
  const base = url.replace(/\/+$/, '');
  return {
    async sendRegistered({ letterId, recipient, pdf }: RegisteredLetter): Promise<{ trackingNumber: string }> {
      const body = JSON.stringify({
        letterId,
        recipient: { name: recipient.name, street: recipient.street, postCode: recipient.postCode, locality: recipient.locality },
        pdfBase64: pdf.toString('base64'),
      });
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${base}/v1/registered-letters`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new Error(`${LABEL}: ${transportReason(err, timeoutMs)}`);
      }
      try {
        text = await res.text();
      } catch (err) {
        throw new Error(`${LABEL}: ${transportReason(err, timeoutMs)} (while reading the answer)`);
      }
      if (res.status === 400 || res.status === 422) throw protocolError(`letter ${letterId} rejected (HTTP ${res.status})${rejectedFields(text)}`);
      if (res.status === 409) throw protocolError(`another letter was already posted as ${letterId} (HTTP 409)`);
      if (res.status === 413) throw protocolError(`letter ${letterId} too large (HTTP 413)`);
      if (res.status !== 200 && res.status !== 201) {
        // 5xx, 429, and the odd 401/403/404 of a misconfigured deployment: an operator can fix
        // those while Temporal keeps retrying, so they stay retryable.
        throw new Error(`${LABEL}: HTTP ${res.status}${res.status >= 500 ? ' (gateway unavailable)' : ''}`);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw protocolError('answer is not JSON');
      }
      const parsed = acceptedBody.safeParse(json);
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))].join(', ');
        throw protocolError(`invalid answer (${fields})`);
      }
      if (parsed.data.letterId !== letterId) throw protocolError('answer is about another letter');
      return { trackingNumber: parsed.data.trackingNumber };
    },
  };
}
