// Acting for another person (Art. 9; NE 3.2): which proxies need the written form, when a
// legal representation of a minor ends, and what the registers say for the reviewer.
// Pure: no clock, no I/O.
import { addDays, formatYmd, parseDay } from './days';
import { ageOn } from './onboarding';
import type { CantonProfile, IsoDay } from './profiles';

/** NE 3.2 (LGSU Art. 22 al. 3): an unrestricted proxy (no service named) needs a written, legalised proxy. */
export function needsWrittenProxy(profile: CantonProfile, services: readonly string[]): boolean {
  return profile.representation.unrestrictedProxyInWriting && services.length === 0;
}

/** The day a person born on `birthDate` comes of age (CC Art. 14); born on 29 February: 1 March in other years. */
export function majorityDay(birthDate: IsoDay, majorityAge: number): IsoDay {
  const b = parseDay(birthDate);
  const y = b.y + majorityAge;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return b.m === 2 && b.d === 29 && !leap ? formatYmd({ y, m: 3, d: 1 }) : formatYmd({ y, m: b.m, d: b.d });
}

/** Parental authority ends with majority: the proxy's last day is the day before (Art. 9.5, CC Art. 296). */
export function lastDayOfParentalAuthority(birthDate: IsoDay, profile: CantonProfile): IsoDay {
  return addDays(majorityDay(birthDate, profile.onboarding.majorityAge), -1);
}

export type RepresentationKind = 'legal-representation' | 'written-proxy-contract';
export type RepresentationBasis = 'parental-authority' | 'protection-measure';

/** What the registers answer about the represented person (Art. 9.5: is there a ground to represent her?). */
export interface RepresentedFacts {
  /** the resident register knows the person */
  found: boolean;
  domiciledInCanton: boolean;
  birthDate: IsoDay | null;
  /** in the resident register or the protection authority's register */
  protectionMeasure: boolean;
}

/** The register's answer as the reviewer reads it. */
export interface RepresentedChecks {
  found: boolean;
  domiciled: boolean;
  /** a minor on the day of the check (parental authority can apply) */
  minor: boolean;
  protectionMeasure: boolean;
  /** the registers confirm the basis the representative stated (always true for a written proxy) */
  basisConfirmed: boolean;
  /** a minor: the proxy's last day, the day before majority */
  lastDay?: IsoDay;
}

export function assessRepresented(
  facts: RepresentedFacts,
  kind: RepresentationKind,
  basis: RepresentationBasis | undefined,
  checkDay: IsoDay,
  profile: CantonProfile,
): RepresentedChecks {
  const minor = facts.birthDate !== null && ageOn(facts.birthDate, checkDay) < profile.onboarding.majorityAge;
  const basisConfirmed = kind === 'written-proxy-contract' || (basis === 'parental-authority' ? minor : facts.protectionMeasure);
  return {
    found: facts.found,
    domiciled: facts.found && facts.domiciledInCanton,
    minor,
    protectionMeasure: facts.protectionMeasure,
    basisConfirmed,
    lastDay: minor && basis === 'parental-authority' && facts.birthDate ? lastDayOfParentalAuthority(facts.birthDate, profile) : undefined,
  };
}

/** The task's subject, without personal data (what the registers said is in the request, read access-logged). */
export function representationSubject(kind: RepresentationKind, basis: RepresentationBasis | undefined): string {
  if (kind === 'written-proxy-contract')
    return "procuration écrite d'une personne sans accès au guichet (art. 9 al. 4) : contrat écrit à vérifier et enregistrer";
  return `représentation légale (art. 9 al. 5) : ${basis === 'parental-authority' ? 'autorité parentale' : 'curatelle ou autre mesure de protection'}`;
}
