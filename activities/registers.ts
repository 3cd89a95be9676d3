// HTTP adapters for the cantonal resident register and the protection authority's (APEA)
// register (fakes/registers/ speaks the same API). They run inside activities, so the way
// they fail decides what Temporal does: a thrown plain Error is retried (a register down for
// hours just delays the check), an ApplicationFailure.nonRetryable stops retrying (a request
// the register rejects, or an answer we cannot read, will not get better by asking again).
// No error message carries the AVS number: messages end up in workflow histories and logs.
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { normalizeAvs } from '../domain/avs';
import type { ProtectionRegister, ResidentRecord, ResidentRegister } from './ports';

export interface HttpRegistersConfig {
  /** e.g. http://127.0.0.1:4010/resident-register */
  residentUrl: string;
  /** e.g. http://127.0.0.1:4010/protection-register */
  protectionUrl: string;
  /** per lookup, connection and body included */
  timeoutMs: number;
}

export const REGISTER_PROTOCOL_ERROR = 'RegisterProtocolError';

const residentBody = z.object({
  avsNumber: z.string(),
  birthDate: z.iso.date(),
  domiciledInCanton: z.boolean(),
  commune: z.string().min(1).nullable(),
  protectionMeasure: z.boolean(),
});
const protectionBody = z.object({ avsNumber: z.string(), protectionMeasure: z.boolean() });

type RegisterLabel = 'resident register' | 'protection register';

function protocolError(register: RegisterLabel, what: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${register}: ${what}`, REGISTER_PROTOCOL_ERROR);
}

/** Why a fetch failed, without the URL (it holds the AVS number). */
function transportReason(err: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors (DOMException, TypeError) may come from another realm (jest).
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; cause?: { code?: unknown } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return typeof e.cause?.code === 'string' ? `unreachable (${e.cause.code})` : 'unreachable';
}

/**
 * GET `url`; the parsed JSON body, or null on 404 when `notFoundIsNull`.
 * Throws a retryable Error for outages and a non-retryable RegisterProtocolError otherwise.
 */
async function getJson(register: RegisterLabel, url: string, timeoutMs: number, notFoundIsNull: boolean): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new Error(`${register}: ${transportReason(err, timeoutMs)}`);
  }
  if (res.status === 404 && notFoundIsNull) {
    await res.body?.cancel();
    return null;
  }
  if (res.status === 400 || res.status === 422) {
    await res.body?.cancel();
    throw protocolError(register, `request rejected (HTTP ${res.status})`);
  }
  if (!res.ok) {
    // 5xx, 429, and the odd 401/403/404 of a misconfigured deployment: an operator can fix
    // those while Temporal keeps retrying, so they stay retryable.
    await res.body?.cancel();
    throw new Error(`${register}: HTTP ${res.status}${res.status >= 500 ? ' (register unavailable)' : ''}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new Error(`${register}: ${transportReason(err, timeoutMs)} (while reading the answer)`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw protocolError(register, 'answer is not JSON');
  }
}

/** Parses with `schema`; on failure names the fields at fault, never their values. */
function parseBody<T>(register: RegisterLabel, schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))].join(', ');
  throw protocolError(register, `invalid answer (${fields})`);
}

/** The register must answer about the person we asked about; anything else is a protocol fault. */
function checkSamePerson(register: RegisterLabel, asked: string, answered: string): string {
  const a = normalizeAvs(answered);
  if (a === null || a !== normalizeAvs(asked)) throw protocolError(register, 'answer is about another AVS number');
  return a;
}

export function createHttpRegisters({ residentUrl, protectionUrl, timeoutMs }: HttpRegistersConfig): {
  resident: ResidentRegister;
  protection: ProtectionRegister;
} {
  const residentBase = residentUrl.replace(/\/+$/, '');
  const protectionBase = protectionUrl.replace(/\/+$/, '');

  const resident: ResidentRegister = {
    async lookup(avsNumber: string): Promise<ResidentRecord | null> {
      const label = 'resident register';
      const body = await getJson(label, `${residentBase}/v1/persons/${encodeURIComponent(avsNumber)}`, timeoutMs, true);
      if (body === null) return null;
      const r = parseBody(label, residentBody, body);
      return {
        avsNumber: checkSamePerson(label, avsNumber, r.avsNumber),
        birthDate: r.birthDate,
        domiciledInCanton: r.domiciledInCanton,
        // The port promises null when not domiciled, whatever the register sends.
        commune: r.domiciledInCanton ? r.commune : null,
        protectionMeasure: r.protectionMeasure,
      };
    },
  };

  const protection: ProtectionRegister = {
    async hasMeasure(avsNumber: string): Promise<boolean> {
      const label = 'protection register';
      // An unknown person is "no measure" (200 false); a 404 here means a wrong URL: retryable.
      const body = await getJson(label, `${protectionBase}/v1/measures/${encodeURIComponent(avsNumber)}`, timeoutMs, false);
      const r = parseBody(label, protectionBody, body);
      checkSamePerson(label, avsNumber, r.avsNumber);
      return r.protectionMeasure;
    },
  };

  return { resident, protection };
}
