// The counter's own access rights as rules (NE 3.1, 4.1, 4.2): what a password needs, the
// initial password of the letter, the user code a person types, the letters' words.
import { randomBytes } from 'node:crypto';
import { credentialLetterTexts } from '../../activities/credential-letter';
import { initialPasswordFrom, normalUserCode, passwordIssues, secondFactorSms, USER_CODE, userCodeFrom } from '../../domain/credentials';
import { profiles } from '../../domain/profiles';
import { hashPassword, verifyPassword } from '../../infra/passwords';
import { juraNamesIn } from '../support/canton-names';

const rules = profiles.NE.accessRights!.credentials;

describe('NE 4.2: the password rule', () => {
  it.each([
    ['Neuchatel2026', []],
    ['neuchatel2026', ['an upper-case letter']],
    ['NEUCHATEL2026', ['a lower-case letter']],
    ['Neuchatel-Lac', ['a digit']],
    ['Neuch2026', ['at least 10 characters']],
    ['court', ['at least 10 characters', 'a digit', 'an upper-case letter']],
  ])('%s lacks %j', (password, lacks) => {
    expect(passwordIssues(rules, password)).toEqual(lacks);
  });
  it('says it in French and German', () => {
    expect(passwordIssues(rules, 'court', 'fr')).toEqual(['au minimum 10 caractères', 'un chiffre', 'une lettre majuscule']);
    expect(passwordIssues(rules, 'court', 'de')).toEqual(['mindestens 10 Zeichen', 'eine Ziffer', 'einen Grossbuchstaben']);
  });
  it('counts letters, not bytes: accented letters are letters', () => {
    expect(passwordIssues(rules, 'Été-à-Neuchâtel-2026')).toEqual([]);
  });
});

describe('the initial password and the user code', () => {
  it('an initial password always passes the rule, and has no 0/O or 1/l/I to misread', () => {
    for (let i = 0; i < 500; i++) {
      const p = initialPasswordFrom(rules, randomBytes(64));
      expect(p).toHaveLength(rules.initialPasswordLength);
      expect(passwordIssues(rules, p)).toEqual([]);
      expect(p).not.toMatch(/[0O1lI]/);
    }
  });
  it('the same bytes give the same password (a retry posts the same letter)', () => {
    const bytes = randomBytes(64);
    expect(initialPasswordFrom(rules, bytes)).toBe(initialPasswordFrom(rules, Buffer.from(bytes)));
  });
  it('a typed user code is found however it is spaced or cased', () => {
    const code = userCodeFrom('4821309377');
    expect(code).toMatch(USER_CODE);
    expect(normalUserCode('gu 48213 09377')).toBe(code);
    expect(normalUserCode(' GU4821309377')).toBe(code);
  });
});

it('keeps passwords as salted scrypt hashes that verify only the right password', async () => {
  const a = await hashPassword('Neuchatel2026');
  const b = await hashPassword('Neuchatel2026');
  expect(a).not.toBe(b);
  expect(a).toMatch(/^scrypt\$131072\$8\$1\$/);
  expect(await verifyPassword('Neuchatel2026', a)).toBe(true);
  expect(await verifyPassword('Neuchatel2027', a)).toBe(false);
  expect(await verifyPassword('Neuchatel2026', 'md5$abc')).toBe(false);
});

it("the letters and the SMS speak for Neuchâtel's Chancellery, cite the terms, and name nothing of Jura's", () => {
  const voice = { ruleSetId: 'NE-GU-2025' };
  for (const kind of ['user-code', 'password'] as const) {
    const w = credentialLetterTexts({
      kind,
      secret: kind === 'user-code' ? 'GU-12345-67890' : 'Abc2defGhjk3',
      rules,
      voice,
      sentOn: '2026-12-02',
      generation: 1,
    });
    const all = [w.sender.join(' '), w.dated, w.subject, ...w.paragraphs, w.signature].join(' ');
    expect(juraNamesIn(all)).toEqual([]);
    expect(w.sender).toEqual(["Chancellerie d'État", 'République et Canton de Neuchâtel', 'Château', '2000 Neuchâtel']);
    expect(w.dated).toBe('Neuchâtel, le 2 décembre 2026');
    expect(all).toContain('Guichet unique');
    expect(all).toContain('ch. 3.1');
  }
  // A replacement (NE 4.3) says it is one, not that the contract was just signed.
  const replaced = credentialLetterTexts({ kind: 'user-code', secret: 'GU-12345-67890', rules, voice, sentOn: '2026-12-02', generation: 2 });
  expect(replaced.paragraphs[0]).toContain("nouveaux droits d'accès");
  expect(replaced.paragraphs.join(' ')).not.toContain('a signé');
  expect(replaced.paragraphs).toContain('Votre code utilisateur : GU-12345-67890');
  expect(secondFactorSms(rules, 'fr', '123456')).toBe('Guichet unique : votre code de connexion est 123456. Valable 5 minutes. Ne le communiquez à personne.');
  expect(juraNamesIn(secondFactorSms(rules, 'de', '123456'))).toEqual([]);
  // Jura signs in with the e-ID: its rule set has no access rights of its own.
  expect(profiles.JU.accessRights).toBeNull();
});
