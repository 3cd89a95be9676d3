// HTTP adapter for the commercial register (registre du commerce): the legal entity by its UID
// and the persons who may sign for it (Art. 11-13: a contract in the name of a legal person is
// concluded by those who can represent it according to the commercial register). The entity
// comes from Zefix's public REST API (`GET /api/v1/company/uid/{uid}`), the signatories from our
// extension beside it (`…/persons`); fakes/commercial-register/ speaks both, and its README says
// which is which. It runs inside activities, so the way it fails decides what Temporal does: a
// thrown plain Error is retried (a register down for hours only delays the check), an
// ApplicationFailure.nonRetryable stops retrying (a request the register rejects, credentials it
// refuses, or an answer we cannot read). No message carries a UID, a name or a birth date.
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { normalizeUid } from '../domain/uid';

export type SigningPower = 'individual' | 'collective' | 'none';

export interface CommercialRegisterSignatory {
  lastName: string;
  firstName: string;
  /** YYYY-MM-DD when the register has it */
  birthDate?: string;
  function?: string;
  signingPower: SigningPower;
}

export interface CommercialRegisterEntry {
  /** CHE-123.456.789 */
  uid: string;
  name: string;
  /** The register's French abbreviation (SA, Sàrl, …), else its name of the form. */
  legalForm: string;
  legalSeat: string;
  canton: string;
  status: 'active' | 'being-cancelled' | 'cancelled';
  address?: { street: string; postCode: string; locality: string };
  signatories: CommercialRegisterSignatory[];
}

export interface CommercialRegister {
  /** null: not in the register */
  byUid(uid: string): Promise<CommercialRegisterEntry | null>;
}

export interface HttpCommercialRegisterConfig {
  /** The API's base, e.g. https://www.zefix.admin.ch/ZefixPublicREST or http://127.0.0.1:4060 */
  url: string;
  /** Basic credentials, as Zefix issues them; no Authorization header without a user. */
  user?: string;
  password?: string;
  /** per lookup (both requests), connection and bodies included */
  timeoutMs: number;
}

export const COMMERCIAL_REGISTER_PROTOCOL_ERROR = 'CommercialRegisterProtocolError';

const LABEL = 'commercial register';

// Zefix's fields may be absent or null; unknown fields (it sends many more) are ignored.
const optionalText = z.string().nullish();
const dfie = z.object({ de: optionalText, fr: optionalText, it: optionalText, en: optionalText }).nullish();
const companyFull = z.object({
  name: z.string().min(1),
  uid: z.string(),
  legalSeat: z.string().min(1),
  legalForm: z.object({ uid: optionalText, name: dfie, shortName: dfie }),
  status: z.enum(['ACTIVE', 'BEING_CANCELLED', 'CANCELLED']),
  canton: z.string().min(1),
  address: z.object({ street: optionalText, houseNumber: optionalText, swissZipCode: optionalText, city: optionalText }).nullish(),
});
const companyBody = z.array(companyFull);

const personsBody = z.object({
  uid: z.string(),
  persons: z.array(
    z.object({
      lastName: z.string().min(1),
      firstName: z.string().min(1),
      birthDate: z.iso.date().nullish(),
      function: optionalText,
      signingAuthority: z.string().min(1),
    }),
  ),
});

const STATUS = { ACTIVE: 'active', BEING_CANCELLED: 'being-cancelled', CANCELLED: 'cancelled' } as const;

function protocolError(what: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${LABEL}: ${what}`, COMMERCIAL_REGISTER_PROTOCOL_ERROR);
}

/** Why a fetch failed, without the URL (it holds the UID). As in activities/registers.ts. */
function transportReason(err: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors (DOMException, TypeError) may come from another realm (jest).
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; cause?: { code?: unknown } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return typeof e.cause?.code === 'string' ? `unreachable (${e.cause.code})` : 'unreachable';
}

/**
 * Individual signature signs alone; a collective one of any kind (à deux, with the president…)
 * only together with another; the rest (NONE) not at all. An unknown mode is a protocol fault.
 */
function signingPowerOf(authority: string): SigningPower {
  if (authority === 'INDIVIDUAL') return 'individual';
  if (authority === 'COLLECTIVE' || authority.startsWith('COLLECTIVE_')) return 'collective';
  if (authority === 'NONE') return 'none';
  throw protocolError('invalid answer (persons.signingAuthority)');
}

/** Parses with `schema`; on failure names the fields at fault, never their values. */
function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((i) => i.path.filter((k) => typeof k !== 'number').join('.') || '(body)'))].join(', ');
  throw protocolError(`invalid ${what} answer (${fields})`);
}

/** The register must answer about the entity we asked about; anything else is a protocol fault. */
function sameUid(asked: string, answered: string): boolean {
  return normalizeUid(answered) === asked;
}

export function createHttpCommercialRegister({ url, user, password, timeoutMs }: HttpCommercialRegisterConfig): CommercialRegister {
  const base = url.replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (user) headers.authorization = `Basic ${Buffer.from(`${user}:${password ?? ''}`, 'utf8').toString('base64')}`;

  /** GET `path`; the parsed JSON body, or null on 404 when `notFoundIsNull`. */
  async function getJson(path: string, signal: AbortSignal, notFoundIsNull: boolean): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { headers, signal });
    } catch (err) {
      throw new Error(`${LABEL}: ${transportReason(err, timeoutMs)}`);
    }
    if (res.status === 404 && notFoundIsNull) {
      await res.body?.cancel();
      return null;
    }
    if (res.status === 400 || res.status === 422) {
      await res.body?.cancel();
      throw protocolError(`request rejected (HTTP ${res.status})`);
    }
    if (res.status === 401 || res.status === 403) {
      // Unlike the cantonal registers' adapter: wrong or missing credentials will not get better
      // by asking again; an operator fixes the configuration and the process is retried.
      await res.body?.cancel();
      throw protocolError(`credentials refused (HTTP ${res.status})`);
    }
    if (!res.ok) {
      // 5xx, 429, and a 404 where the entity exists (a wrong URL): retryable.
      await res.body?.cancel();
      throw new Error(`${LABEL}: HTTP ${res.status}${res.status >= 500 ? ' (register unavailable)' : ''}`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new Error(`${LABEL}: ${transportReason(err, timeoutMs)} (while reading the answer)`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw protocolError('answer is not JSON');
    }
  }

  return {
    async byUid(uid: string): Promise<CommercialRegisterEntry | null> {
      const asked = normalizeUid(uid);
      // Zefix's own form in the path (CHE123456789); a malformed one goes as given, and the
      // register's 400 says so.
      const id = encodeURIComponent(asked ? asked.replace(/[-.]/g, '') : uid.trim());
      const signal = AbortSignal.timeout(timeoutMs);

      const companies = await getJson(`/api/v1/company/uid/${id}`, signal, true);
      if (companies === null) return null;
      const found = parseBody(companyBody, companies, 'company');
      if (found.length === 0) return null;
      if (asked === null) throw protocolError('answer for a malformed UID');
      const matching = found.filter((c) => sameUid(asked, c.uid));
      if (matching.length === 0) throw protocolError('answer is about another UID');
      // One UID, several entries (a deleted one and its successor): the one still in the register.
      const live = matching.filter((c) => c.status !== 'CANCELLED');
      if (live.length > 1) throw protocolError('several entries in the register for one UID');
      const company = (live[0] ?? matching[0]) as (typeof matching)[number];

      const persons = parseBody(personsBody, await getJson(`/api/v1/company/uid/${id}/persons`, signal, false), 'persons');
      if (!sameUid(asked, persons.uid)) throw protocolError('persons answer is about another UID');

      const form = company.legalForm;
      const legalForm = form.shortName?.fr || form.name?.fr || form.shortName?.de || form.name?.de || form.uid;
      if (!legalForm) throw protocolError('invalid company answer (legalForm)');
      const a = company.address;
      return {
        uid: asked,
        name: company.name,
        legalForm,
        legalSeat: company.legalSeat,
        canton: company.canton,
        status: STATUS[company.status],
        ...(a?.street && a.swissZipCode && a.city
          ? { address: { street: a.houseNumber ? `${a.street} ${a.houseNumber}` : a.street, postCode: a.swissZipCode, locality: a.city } }
          : {}),
        signatories: persons.persons.map((p) => ({
          lastName: p.lastName,
          firstName: p.firstName,
          ...(p.birthDate ? { birthDate: p.birthDate } : {}),
          ...(p.function ? { function: p.function } : {}),
          signingPower: signingPowerOf(p.signingAuthority),
        })),
      };
    },
  };
}
