// Single-use transaction codes (NE 4.5: "Pour la transmission de données extrêmement sensibles
// (exemple : votation), le partenaire peut mettre en œuvre [...] un code transaction individuel à
// usage unique"). The user asks for a code for one transaction (an
// action on a service); it goes to her mobile phone by SMS; the transaction is refused without
// it. Only an HMAC of the code is stored, bound to the user, the action and the service, valid
// once until it expires, void after the rule set's number of wrong entries.
import { createHmac, hkdfSync, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { RuleSet } from '../domain/rule-sets';
import { needsTransactionCode, transactionCodeSms, type TransactionPurpose } from '../domain/transaction-codes';
import type { Db } from '../infra/db';
import { writeAudit } from '../records/audit';
import { actorOf, type Caller } from './caller';
import { AppError, invalidField } from './errors';

/** Where a user's mobile phone number is kept (the user's credentials); null: none known. */
export interface PhoneDirectory {
  mobileOf(userSub: string): Promise<string | null>;
}

/** Knows no number: every request for a code answers 409 `no_mobile_phone`. */
export const noPhoneDirectory: PhoneDirectory = { mobileOf: () => Promise.resolve(null) };

/** The user register's mobile phone of the person (NE 4.1: the number sign-in codes go to too). */
export const registeredPhones = (db: Db): PhoneDirectory => ({
  mobileOf: async (sub) => (await db.registeredUser.findUnique({ where: { sub }, select: { mobilePhone: true } }))?.mobilePhone ?? null,
});

/** The SMS provider, as activities/sms.ts `SmsGateway` speaks to it. */
export interface SmsSender {
  send(to: string, text: string): Promise<{ messageId: string }>;
}

/**
 * The service catalogue's `sensitive` flag of a service; undefined when it does not know the
 * service (or there is no catalogue yet): the rule set's `sensitiveServices` list decides then.
 */
export type SensitiveServices = (service: string) => Promise<boolean | undefined>;

const noCatalogue: SensitiveServices = () => Promise.resolve(undefined);

/** The code the caller gives with a transaction (headers X-Transaction-Code-Id and X-Transaction-Code). */
export interface GivenTransactionCode {
  codeId: string;
  code: string;
}

/** The HMAC key for codes, derived from a server secret (the active payload key) so that every API instance agrees. */
export function transactionCodeKeyFrom(secret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'guichet/transaction-codes/v1', 32));
}

export interface TransactionCodeDeps {
  db: Db;
  /** The deployment's rule set: its `transactionCodes` block. */
  ruleSet: RuleSet;
  /** null: no SMS provider configured; asking for a code answers 503. */
  sms: SmsSender | null;
  phones: PhoneDirectory;
  /** HMAC-SHA256 key (transactionCodeKeyFrom) */
  key: Buffer;
  sensitive?: SensitiveServices;
  now?: () => Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function transactionCodeUseCases({ db, ruleSet, sms, phones, key, sensitive = noCatalogue, now = () => new Date() }: TransactionCodeDeps) {
  const rules = ruleSet.transactionCodes;
  const digest = (codeId: string, code: string) => createHmac('sha256', key).update(`${codeId}:${code}`, 'utf8').digest();

  async function needed(purpose: TransactionPurpose): Promise<boolean> {
    if (!rules.enabled) return false;
    return needsTransactionCode(rules, purpose, await sensitive(purpose.service));
  }

  const invalid = (why: string) =>
    new AppError(403, 'transaction_code_invalid', `the transaction code is not valid: ${why}; ask for a new one`, [{ path: 'X-Transaction-Code', issue: why }]);

  return {
    /** Whether this transaction needs a code on this counter. */
    needed,

    /** Sends a new code by SMS to the caller's mobile phone; never returns the code. */
    async request(caller: Caller, purpose: TransactionPurpose, language: 'fr' | 'de' = 'fr'): Promise<{ codeId: string; expiresAt: string }> {
      const sub = caller.principal.sub;
      if (!rules.enabled) throw new AppError(404, 'not_found', 'this counter uses no transaction codes');
      if (!(await needed(purpose))) throw invalidField('purpose', 'this transaction needs no transaction code', 'no code is needed');
      const phone = await phones.mobileOf(sub);
      if (!phone) throw new AppError(409, 'no_mobile_phone', 'no mobile phone number is known for you: a transaction code cannot be sent');
      if (!sms) throw new AppError(503, 'sms_unavailable', 'no SMS provider is configured: transaction codes cannot be sent');

      const codeId = randomUUID();
      const code = String(randomInt(0, 10 ** rules.codeLength)).padStart(rules.codeLength, '0');
      const at = now();
      const expiresAt = new Date(at.getTime() + rules.validityMinutes * 60_000);
      await db.$transaction(async (tx) => {
        // One user's requests one after the other, so that two at once cannot pass the limit.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`transaction-code:${sub}`}))`;
        const open = await tx.transactionCode.count({
          where: { userSub: sub, usedAt: null, expiresAt: { gt: at }, wrongTries: { lt: rules.maxWrongTries } },
        });
        if (open >= rules.maxOpenCodes)
          throw new AppError(429, 'too_many_codes', `you have ${open} transaction codes open: use one, or wait until they expire`);
        await tx.transactionCode.create({
          data: {
            id: codeId,
            userSub: sub,
            action: purpose.action,
            service: purpose.service,
            codeHash: digest(codeId, code).toString('hex'),
            createdAt: at,
            expiresAt,
          },
        });
      });
      let messageId: string;
      try {
        ({ messageId } = await sms.send(phone, transactionCodeSms(rules, language, code, purpose)));
      } catch {
        // Not sent: the code must not count against the limit, nor ever be usable.
        await db.transactionCode.delete({ where: { id: codeId } });
        throw new AppError(503, 'sms_unavailable', 'the SMS could not be sent now: try again in a moment');
      }
      await db.transactionCode.update({ where: { id: codeId }, data: { smsMessageId: messageId } });
      await writeAudit(db, { ...actorOf(caller), action: 'transaction-code.sent', recordType: 'transaction-code', recordId: codeId });
      return { codeId, expiresAt: expiresAt.toISOString() };
    },

    /**
     * The transaction may go ahead: it needs no code, or `given` is a valid code of the caller's
     * for it, which this consumes (once: the same code again is refused). `usedFor` names what
     * the transaction makes; a retry of that same transaction (its Idempotency-Key) passes again.
     */
    async require(caller: Caller, purpose: TransactionPurpose, given: GivenTransactionCode | null, usedFor: string): Promise<void> {
      if (!(await needed(purpose))) return;
      if (!given)
        throw new AppError(
          403,
          'transaction_code_required',
          'this transaction needs a single-use transaction code: ask for one (POST /v1/me/transaction-codes) and give it in X-Transaction-Code-Id and X-Transaction-Code',
          [{ path: 'X-Transaction-Code', issue: 'required' }],
        );
      const row = UUID.test(given.codeId) ? await db.transactionCode.findUnique({ where: { id: given.codeId } }) : null;
      if (!row || row.userSub !== caller.principal.sub) throw invalid('unknown code');
      if (row.action !== purpose.action || row.service !== purpose.service) throw invalid('the code was sent for another transaction');
      const right = /^\d+$/.test(given.code) && timingSafeEqual(digest(row.id, given.code), Buffer.from(row.codeHash, 'hex'));
      if (row.usedAt) {
        if (right && row.usedFor === usedFor) return; // the same transaction, retried
        throw invalid('the code was used already');
      }
      if (!right) {
        // Counted once per wrong entry; at maxWrongTries the code is void.
        await db.transactionCode.updateMany({ where: { id: row.id, usedAt: null }, data: { wrongTries: { increment: 1 } } });
        throw invalid(row.wrongTries + 1 >= rules.maxWrongTries ? 'wrong code; it is void now' : 'wrong code');
      }
      const at = now();
      // Atomic: of two transactions with the same code, one alone finds it unused.
      const { count } = await db.transactionCode.updateMany({
        where: { id: row.id, usedAt: null, expiresAt: { gt: at }, wrongTries: { lt: rules.maxWrongTries } },
        data: { usedAt: at, usedFor },
      });
      if (count === 1) {
        await writeAudit(db, { ...actorOf(caller), action: 'transaction-code.used', recordType: 'transaction-code', recordId: row.id });
        return;
      }
      if (row.expiresAt <= at) throw invalid('the code has expired');
      if (row.wrongTries >= rules.maxWrongTries) throw invalid('the code is void after too many wrong entries');
      throw invalid('the code was used already');
    },
  };
}

export type TransactionCodeUseCases = ReturnType<typeof transactionCodeUseCases>;
