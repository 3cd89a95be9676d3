// Representation through the Chancellery (Art. 9.4, 9.5): an identified user of the counter
// asks to act for a person who has no access of her own — as her legal representative (a
// parent of a minor, a curator), or on her written proxy, a paper contract the Chancellery
// checks. Each request is a `representationContract` process (its id a uuid; no personal data
// in the workflow); approved, the person has a subject of her own (`represented:<id>`), a
// contract, and the representative a standing proxy that requireProxy checks at every act.
import { randomUUID } from 'node:crypto';
import { normalizeAvs } from '../domain/avs';
import { localDay } from '../domain/days';
import { ageOn } from '../domain/onboarding';
import { profiles, type CantonCode } from '../domain/profiles';
import type { RepresentationBasis, RepresentationKind, RepresentedChecks } from '../domain/representation';
import type { Db } from '../infra/db';
import { writeAccessLog } from '../records/access-log';
import { writeAudit } from '../records/audit';
import { actorOf, readerOf, type Caller } from './caller';
import { AppError, invalidField } from './errors';
import type { RepresentationGateway } from './gateways/representation';
import { requireAccess } from './policy';

export interface RepresentedPerson {
  lastName: string;
  firstName: string;
  birthDate: string;
  avsNumber: string;
  address: { street: string; postCode: string; locality: string };
  commune: string;
  /** Her own e-mail; none: the counter writes to the representative */
  email?: string;
}

export interface RepresentationView {
  requestId: string;
  kind: RepresentationKind;
  status: 'checking' | 'awaiting-review' | 'approved' | 'refused';
  basis?: RepresentationBasis;
  services: string[];
  decisions: boolean;
  until?: string;
  person: { lastName: string; firstName: string; birthDate: string; commune: string };
  /** Approved: her subject on the counter (name it as `onBehalfOf`) and the standing proxy */
  representedSub?: string;
  proxyId?: string;
  refusalReasons: string[];
  submittedAt: string;
  decidedAt?: string;
}

type Row = Awaited<ReturnType<Db['representationRequest']['findUniqueOrThrow']>>;

const view = (r: Row): RepresentationView => ({
  requestId: r.id,
  kind: r.kind as RepresentationKind,
  status: r.status as RepresentationView['status'],
  basis: (r.basis ?? undefined) as RepresentationBasis | undefined,
  services: r.services,
  decisions: r.decisions,
  until: r.until ?? undefined,
  person: { lastName: r.lastName, firstName: r.firstName, birthDate: r.birthDate, commune: r.commune },
  representedSub: r.representedSub ?? undefined,
  proxyId: r.proxyId ?? undefined,
  refusalReasons: r.refusalReasons,
  submittedAt: r.submittedAt.toISOString(),
  decidedAt: r.decidedAt?.toISOString(),
});

export function representationUseCases({
  db,
  representations,
  canton,
  now = () => new Date(),
}: {
  db: Db;
  representations: RepresentationGateway;
  canton: CantonCode;
  now?: () => Date;
}) {
  const profile = profiles[canton];
  const today = () => localDay(now(), profile.timeZone);

  async function file(
    caller: Caller,
    kind: RepresentationKind,
    input: { person: RepresentedPerson; basis?: RepresentationBasis; services: string[]; decisions: boolean; until?: string },
  ): Promise<RepresentationView> {
    const sub = caller.principal.sub;
    const representative = await db.registeredUser.findUnique({ where: { sub }, select: { avsNumber: true } });
    // Art. 9.2: the representative is clearly identifiable, with his own means of identification.
    if (!representative) throw new AppError(403, 'no_contract', 'a representative is an identified user of the counter');
    const avs = normalizeAvs(input.person.avsNumber);
    if (!avs) throw invalidField('person.avsNumber', 'not a valid AVS number');
    if (avs === normalizeAvs(representative.avsNumber)) throw invalidField('person.avsNumber', 'is your own: a representation is for someone else');
    if (input.person.birthDate > today()) throw invalidField('person.birthDate', 'in the future');
    if (input.until && input.until < today()) throw invalidField('until', 'must be today or later');
    if (kind === 'legal-representation' && input.basis === 'parental-authority' && ageOn(input.person.birthDate, today()) >= profile.onboarding.majorityAge)
      throw new AppError(422, 'unprocessable', 'parental authority ends at majority (CC Art. 14, 296)', [
        { path: 'person.birthDate', issue: 'of age: she contracts for herself, or gives a proxy' },
      ]);
    // One person, one subject (Art. 8): a user of the counter gives a proxy herself (Art. 9.1).
    if (await db.registeredUser.findUnique({ where: { avsNumber: avs }, select: { id: true } }))
      throw new AppError(409, 'already_registered', 'this person is already a user of the counter: she gives a proxy herself (Art. 9.1)');
    if (await db.representationRequest.findFirst({ where: { avsNumber: avs, status: { in: ['checking', 'awaiting-review'] } }, select: { id: true } }))
      throw new AppError(409, 'already_requested', 'a request to represent this person is already being examined');

    const id = randomUUID();
    const p = input.person;
    const row = await db.representationRequest.create({
      data: {
        id,
        kind,
        canton,
        status: 'checking',
        representativeSub: sub,
        basis: kind === 'legal-representation' ? input.basis : null,
        services: kind === 'legal-representation' ? [] : [...new Set(input.services)].sort(),
        decisions: kind === 'legal-representation' ? true : input.decisions,
        until: kind === 'legal-representation' ? null : (input.until ?? null),
        avsNumber: avs,
        lastName: p.lastName,
        firstName: p.firstName,
        birthDate: p.birthDate,
        street: p.address.street,
        postCode: p.address.postCode,
        locality: p.address.locality,
        commune: p.commune,
        email: p.email ?? null,
        refusalReasons: [],
        submittedAt: now(),
      },
    });
    try {
      await representations.start({ requestId: id, canton, kind, basis: row.basis as RepresentationBasis | undefined, commune: p.commune });
    } catch (err) {
      await db.representationRequest.delete({ where: { id } }); // without its process, no request
      throw err;
    }
    await writeAudit(db, { ...actorOf(caller), action: `representation.requested.${kind}`, recordType: 'representation-request', recordId: id });
    return view(row);
  }

  return {
    /** Art. 9.5: a legal representative contracts for the person; a standing proxy for everything, her decisions included. */
    requestLegalRepresentation: (caller: Caller, input: { person: RepresentedPerson; basis: RepresentationBasis }) =>
      file(caller, 'legal-representation', { ...input, services: [], decisions: true }),

    /** Art. 9.4: the written proxy of a person without access, a paper contract the Chancellery records. */
    requestWrittenProxy: (caller: Caller, input: { person: RepresentedPerson; services: string[]; decisions: boolean; until?: string }) =>
      file(caller, 'written-proxy-contract', input),

    /** The representative's own requests, and any for the Chancellery (with the registers' answer, access-logged). */
    async get(caller: Caller, requestId: string): Promise<RepresentationView & { checks?: RepresentedChecks }> {
      const r = await db.representationRequest.findUnique({ where: { id: requestId } });
      requireAccess(caller.principal, 'read', r && { type: 'representation-request', representativeSub: r.representativeSub }, 'representation request');
      if (caller.principal.role !== 'chancellery') return view(r!);
      await writeAccessLog(db, {
        ...readerOf(caller),
        action: 'read.representation-request',
        recordType: 'representation-request',
        recordId: requestId,
        purpose: 'the Chancellery examines a request to represent a person (Art. 9.4, 9.5)',
      });
      return { ...view(r!), checks: (r!.checks ?? undefined) as RepresentedChecks | undefined };
    },

    async list(caller: Caller): Promise<RepresentationView[]> {
      const rows = await db.representationRequest.findMany({ where: { representativeSub: caller.principal.sub }, orderBy: { submittedAt: 'desc' }, take: 100 });
      return rows.map(view);
    },
  };
}

export type RepresentationUseCases = ReturnType<typeof representationUseCases>;
