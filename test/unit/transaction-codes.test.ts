// NE 4.5: which transactions need a single-use code, and the SMS that carries it.
import { profiles } from '../../domain/profiles';
import { needsTransactionCode, transactionCodeSms } from '../../domain/transaction-codes';
import { segmentsOf } from '../../fakes/sms/server';
import { juraNamesIn } from '../support/canton-names';

const NE = profiles.NE.transactionCodes;
const vote = { action: 'access-request.create', service: 'vote-electronique' } as const;

it("asks a code for the rule set's sensitive services only, on the counters that use codes", () => {
  expect(needsTransactionCode(NE, vote)).toBe(true);
  expect(needsTransactionCode(NE, { ...vote, service: 'building-permits' })).toBe(false);
  expect(needsTransactionCode(profiles.JU.transactionCodes, vote)).toBe(false);
});

it("lets the service catalogue's own flag decide where it knows the service", () => {
  expect(needsTransactionCode(NE, { ...vote, service: 'building-permits' }, true)).toBe(true);
  expect(needsTransactionCode(NE, vote, false)).toBe(false);
  // Never on a counter without codes, nor for an action the rule set does not list
  expect(needsTransactionCode(profiles.JU.transactionCodes, vote, true)).toBe(false);
  expect(needsTransactionCode({ ...NE, sensitiveActions: ['service-consent.grant'] }, vote, true)).toBe(false);
});

it.each(['fr', 'de'] as const)('says in one SMS (%s) the code, what it is for and how long it is valid', (language) => {
  const text = transactionCodeSms(NE, language, '042917', vote);
  expect(text).toContain('042917');
  expect(text).toContain('vote-electronique');
  expect(text).toContain(`${NE.validityMinutes} ${language === 'fr' ? 'minutes' : 'Minuten'}`);
  expect(text).not.toMatch(/\{\w+\}/);
  expect(segmentsOf(text)).toBe(1);
  expect(juraNamesIn(text)).toEqual([]);
});
