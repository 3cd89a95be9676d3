// Which rule set: a deployment names one (RULE_SET), each process carries the id of the one
// it started under, and reads its numbers and words from that one only (DOMAIN.md §6).
import { RULE_SETS, type CantonCode, type CantonProfile, type IsoDay } from './profiles';

export type RuleSet = CantonProfile;

/** The rule set of this id; a RangeError for an id the engine does not know (never a guess). */
export function ruleSetById(id: string): RuleSet {
  const rs = RULE_SETS.find((r) => r.ruleSet.id === id);
  if (!rs) throw new RangeError(`unknown rule set ${JSON.stringify(id)}: known are ${RULE_SETS.map((r) => r.ruleSet.id).join(', ')}`);
  return rs;
}

export function ruleSetsOf(canton: CantonCode): RuleSet[] {
  return RULE_SETS.filter((r) => r.canton === canton);
}

/** The canton's rule set that began last: a deployment's default. */
export function newestRuleSet(canton: CantonCode): RuleSet {
  const all = ruleSetsOf(canton);
  if (all.length === 0) throw new RangeError(`no rule set for canton ${canton}`);
  return all.reduce((a, b) => (b.ruleSet.effectiveFrom > a.ruleSet.effectiveFrom ? b : a));
}

export function inForceOn(rs: RuleSet, day: IsoDay): boolean {
  return rs.ruleSet.effectiveFrom <= day && (rs.ruleSet.effectiveTo === null || day <= rs.ruleSet.effectiveTo);
}

/**
 * The deployment's rule set: `RULE_SET` if given (it must be the canton's), else the canton's
 * newest. `warning` says so when it is not in force on `today` (logged once, at start).
 */
export function deploymentRuleSet(canton: CantonCode, requested: string | undefined, today: IsoDay): { ruleSet: RuleSet; warning: string | null } {
  const rs = requested ? ruleSetById(requested) : newestRuleSet(canton);
  if (rs.canton !== canton) throw new RangeError(`rule set ${rs.ruleSet.id} is ${rs.canton}'s, not ${canton}'s`);
  const { id, effectiveFrom, effectiveTo } = rs.ruleSet;
  const warning = inForceOn(rs, today)
    ? null
    : `rule set ${id} is not in force today (${today}): in force ${effectiveFrom} to ${effectiveTo ?? 'today'}; processes started now follow it all the same`;
  return { ruleSet: rs, warning };
}
