// The automatic checks of an application for the user contract (Art. 4.5) and where each
// outcome leads (Art. 4.6-4.8). Pure: the registers' answers come in, a route goes out.
import { parseDay } from './days';
import type { CantonProfile, IsoDay } from './profiles';

/** Age in whole years on `day` (both ISO days): a birthday counts from its first moment. */
export function ageOn(birthDate: IsoDay, day: IsoDay): number {
  const b = parseDay(birthDate);
  const d = parseDay(day);
  const hadBirthday = d.m > b.m || (d.m === b.m && d.d >= b.d);
  return d.y - b.y - (hadBirthday ? 0 : 1);
}

export interface RegisterFacts {
  /** null: the resident register does not know the person */
  found: boolean;
  domiciledInCanton: boolean;
  birthDate: IsoDay | null;
  /** in the resident register or the protection authority's register */
  protectionMeasure: boolean;
}

export interface CheckOutcome {
  /** (a) domiciled in the canton */
  domiciled: boolean;
  /** (b) of age on the day of the check (Europe/Zurich) */
  adult: boolean;
  /** (c) no protection measure */
  noProtectionMeasure: boolean;
}

export type Route =
  /** all checks pass: admitted (Art. 4.6) */
  | 'admit'
  /** (c) fails: the competent authority is asked about civil capacity (Art. 4.5 c) */
  | 'ask-authority'
  /** (a) or (b) fails: a reviewer decides whether a special reason justifies access (Art. 4.7) */
  | 'review';

export function assess(facts: RegisterFacts, checkDay: IsoDay, profile: CantonProfile): CheckOutcome {
  return {
    domiciled: facts.found && facts.domiciledInCanton,
    adult: facts.birthDate !== null && ageOn(facts.birthDate, checkDay) >= profile.onboarding.majorityAge,
    noProtectionMeasure: !facts.protectionMeasure,
  };
}

export function route(outcome: CheckOutcome): Route {
  if (!outcome.noProtectionMeasure) return 'ask-authority';
  return outcome.domiciled && outcome.adult ? 'admit' : 'review';
}

/** After the authority confirmed civil capacity: (a) and (b) still decide. */
export function routeAfterCapacityConfirmed(outcome: CheckOutcome): Exclude<Route, 'ask-authority'> {
  return outcome.domiciled && outcome.adult ? 'admit' : 'review';
}

/** What failed, in words a reviewer and the applicant understand (no personal data). */
export function failedChecks(outcome: CheckOutcome): string[] {
  const out: string[] = [];
  if (!outcome.domiciled) out.push('domicile hors du canton (art. 4 al. 5 let. a)');
  if (!outcome.adult) out.push('personne mineure (art. 4 al. 5 let. b)');
  if (!outcome.noProtectionMeasure) out.push('mesure de protection inscrite (art. 4 al. 5 let. c)');
  return out;
}
