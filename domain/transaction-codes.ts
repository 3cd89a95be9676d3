// Single-use transaction codes (NE 4.5): which transactions need one, and the words of the SMS
// that carries it. Pure rules over the rule set's `transactionCodes` block.
import type { CantonProfile, TransactionAction } from './profiles';

export type TransactionCodeRules = CantonProfile['transactionCodes'];

export interface TransactionPurpose {
  action: TransactionAction;
  /** The service the transaction is about (an access request's service, a consent's domain). */
  service: string;
}

export const TRANSACTION_ACTIONS: readonly TransactionAction[] = ['access-request.create', 'transaction.submit', 'service-consent.grant'];

/**
 * Whether this transaction needs a code. `serviceFlag` is the service catalogue's own
 * `sensitive` flag when it knows the service; until then the rule set's list decides.
 */
export function needsTransactionCode(rules: TransactionCodeRules, purpose: TransactionPurpose, serviceFlag?: boolean): boolean {
  if (!rules.enabled || !rules.sensitiveActions.includes(purpose.action)) return false;
  return serviceFlag ?? rules.sensitiveServices.includes(purpose.service);
}

/** The SMS: the code, what it is for and how long it is valid, in the rule set's words. */
export function transactionCodeSms(rules: TransactionCodeRules, language: 'fr' | 'de', code: string, purpose: TransactionPurpose): string {
  const words = rules.sms[language];
  const what = words.purposes[purpose.action].replace('{service}', () => purpose.service);
  return words.text
    .replace('{code}', () => code)
    .replace('{purpose}', () => what)
    .replace('{minutes}', () => String(rules.validityMinutes));
}
