// The rule sets as a later release of the engine would ship them: the same rule sets, and a
// new Jura one (`JU-TEST-NEXT`) that changes one number. Only the pinning test bundles it, in
// place of domain/rule-sets.ts, to show that a running process keeps the rule set it started under.
import { RULE_SETS, type CantonCode, type CantonProfile } from '../../domain/profiles';

const NEXT: CantonProfile = {
  ...RULE_SETS.find((r) => r.ruleSet.id === 'JU-GVS-2013')!,
  ruleSet: { id: 'JU-TEST-NEXT', effectiveFrom: '2027-01-01', effectiveTo: null, source: 'a later text (test only)' },
  representation: { ...RULE_SETS.find((r) => r.ruleSet.id === 'JU-GVS-2013')!.representation, proxyAcceptanceDays: 10 },
};
const ALL = [...RULE_SETS, NEXT];

export function ruleSetById(id: string): CantonProfile {
  const rs = ALL.find((r) => r.ruleSet.id === id);
  if (!rs) throw new RangeError(`unknown rule set ${id}`);
  return rs;
}
export const ruleSetsOf = (canton: CantonCode) => ALL.filter((r) => r.canton === canton);
export const NEXT_RULE_SET = NEXT;
