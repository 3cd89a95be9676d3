// How strongly a person signed in (the token's `acr`), and what each kind of act needs:
// the signing-in strength for reading, the e-ID level for onboarding and acts with legal
// effect (Art. 3), the staff's own level for the authorities' work. The levels and the
// minimum of each kind are configuration (AUTH_ACR_*): the canton's identity provider names them.
import type { Role } from './roles';

/** The embedded identity provider's values, weakest first (its demo accounts; production names its own). */
export const DEFAULT_ACR_LEVELS = ['urn:guichet:acr:password', 'urn:guichet:acr:mfa', 'urn:guichet:acr:eid'] as const;

export type ActKind = 'read' | 'legal-effect';

export interface AssurancePolicy {
  /** The acr values the identity provider issues, weakest first. */
  levels: string[];
  /** The weakest acr accepted for reading (citizens, counsellors). */
  read: string;
  /** The weakest acr accepted for onboarding and acts with legal effect (citizens, counsellors). */
  legalEffect: string;
  /** The weakest acr accepted for the authorities' staff (Chancellery, units, protection authority, operators). */
  staff: string;
}

export const DEFAULT_ASSURANCE: AssurancePolicy = {
  levels: [...DEFAULT_ACR_LEVELS],
  read: 'urn:guichet:acr:password',
  legalEffect: 'urn:guichet:acr:eid',
  staff: 'urn:guichet:acr:mfa',
};

const PERSONS: readonly Role[] = ['citizen', 'counsellor'];

/** The weakest acr an act of this kind needs from this role. */
export function requiredAcr(policy: AssurancePolicy, role: Role, kind: ActKind): string {
  if (!PERSONS.includes(role)) return policy.staff;
  return kind === 'read' ? policy.read : policy.legalEffect;
}

/** Whether a token's acr (possibly absent or unknown: never enough) meets `required`. */
export function meets(policy: AssurancePolicy, acr: string | undefined, required: string): boolean {
  const have = acr === undefined ? -1 : policy.levels.indexOf(acr);
  return have >= 0 && have >= policy.levels.indexOf(required);
}

/** What the embedded issuer gives a demo token of this role: persons their e-ID, staff a second factor. */
export const defaultAcrFor = (role: Role): string => (PERSONS.includes(role) ? DEFAULT_ASSURANCE.legalEffect : DEFAULT_ASSURANCE.staff);

/**
 * The default level of legal effect of a rule set: the e-ID; where the rule set has access
 * rights of its own, their two factors (NE 4.4: a person identified per NE 4.1 may use every
 * service she is entitled to).
 */
export const legalEffectAcrOf = (ruleSet: { accessRights: unknown }): string =>
  ruleSet.accessRights ? DEFAULT_ASSURANCE.staff : DEFAULT_ASSURANCE.legalEffect;
