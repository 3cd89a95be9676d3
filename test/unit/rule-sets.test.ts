// Rule sets as dated data (DOMAIN.md §6): found by id, each canton's newest by default, and a
// warning when a deployment runs one that is not in force.
import { RULE_SETS } from '../../domain/profiles';
import { deploymentRuleSet, inForceOn, newestRuleSet, ruleSetById } from '../../domain/rule-sets';

describe('rule sets', () => {
  it('are dated: Jura 2013 to October 2021, Neuchâtel since 2026', () => {
    expect(RULE_SETS.map((r) => [r.ruleSet.id, r.ruleSet.effectiveFrom, r.ruleSet.effectiveTo])).toEqual([
      ['JU-GVS-2013', '2013-01-01', '2021-10-31'],
      ['NE-GU-2025', '2026-01-01', null],
    ]);
    expect(inForceOn(ruleSetById('JU-GVS-2013'), '2021-10-31')).toBe(true);
    expect(inForceOn(ruleSetById('JU-GVS-2013'), '2021-11-01')).toBe(false);
    expect(inForceOn(ruleSetById('NE-GU-2025'), '2026-12-02')).toBe(true);
  });

  it('are found by id, and an unknown id is refused rather than guessed', () => {
    expect(ruleSetById('NE-GU-2025').canton).toBe('NE');
    expect(() => ruleSetById('JU-GVS-2021')).toThrow(/unknown rule set "JU-GVS-2021": known are JU-GVS-2013, NE-GU-2025/);
    expect(newestRuleSet('JU').ruleSet.id).toBe('JU-GVS-2013');
  });

  it("give a deployment the canton's newest, with a warning when it is not in force today", () => {
    expect(deploymentRuleSet('NE', undefined, '2026-12-02')).toMatchObject({ ruleSet: { ruleSet: { id: 'NE-GU-2025' } }, warning: null });
    const ju = deploymentRuleSet('JU', undefined, '2026-12-02');
    expect(ju.ruleSet.ruleSet.id).toBe('JU-GVS-2013');
    expect(ju.warning).toBe(
      'rule set JU-GVS-2013 is not in force today (2026-12-02): in force 2013-01-01 to 2021-10-31; processes started now follow it all the same',
    );
    expect(() => deploymentRuleSet('JU', 'NE-GU-2025', '2026-12-02')).toThrow(/NE's, not JU's/);
  });
});
