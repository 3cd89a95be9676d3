// Signing in with a counter's own access rights (NE 4.1, 4.2), for the identity provider: the
// user code and the personal password, then a code sent by SMS to the person's mobile phone;
// the initial password changed at the first sign-in. Before it checks anything it asks the
// account's access-rights process (NE 7.1, 7.4, 7.6) whether the account may try now, and it
// reports every wrong entry and every success to it: the process alone locks and blocks.
//
// The SMS code is kept as an HMAC only (in transaction_code, action `sign-in`), bound to the
// account, valid once for the rule set's minutes, void after its wrong entries. The challenge
// that passed both factors is what allows the one password change that follows.
import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AccessRightsPort, AccessRightsStatus, SignInElement } from '../domain/access-rights';
import { normalUserCode, passwordIssues, secondFactorSms } from '../domain/credentials';
import type { Lang } from '../domain/profiles';
import type { RuleSet } from '../domain/rule-sets';
import type { Db } from '../infra/db';
import { hashPassword, verifyPassword } from '../infra/passwords';
import { writeAudit } from '../records/audit';
import { actorOf, type Caller } from './caller';
import { AppError, invalidField } from './errors';
import type { SmsSender } from './transaction-codes';

export const SIGN_IN_ACTION = 'sign-in';
/** After both factors, the password change must follow within this time. */
const CHANGE_WITHIN_MS = 15 * 60_000;

export type SignInRefusal = { outcome: 'refused'; state: AccessRightsStatus['state'] | 'no-access-rights'; lockedUntil?: string };
export type SignInStep =
  | SignInRefusal
  /** A wrong element: counted (failuresInARow), maybe locked or blocked now. */
  | { outcome: 'wrong'; element: SignInElement; state: AccessRightsStatus['state']; lockedUntil?: string; failuresInARow?: number }
  | { outcome: 'second-factor'; challengeId: string; expiresAt: string }
  /** Both factors right: the provider signs the person in as `sub` (after the password change if `mustChange`). */
  | { outcome: 'signed-in'; sub: string; mustChange: boolean; challengeId: string };

export interface SignInDeps {
  db: Db;
  ruleSet: RuleSet;
  accessRights: AccessRightsPort;
  sms: SmsSender | null;
  /** HMAC key of the SMS codes (the transaction codes' key). */
  key: Buffer;
  now?: () => Date;
}

// A hash to check a password against when the user code is unknown: the same time either way.
let decoy: Promise<string> | undefined;

export function signInUseCases({ db, ruleSet, accessRights, sms, key, now = () => new Date() }: SignInDeps) {
  const rules = ruleSet.accessRights?.credentials;
  const digest = (id: string, code: string) => createHmac('sha256', key).update(`${id}:${code}`, 'utf8').digest();
  const ownOnly = () => {
    if (!rules) throw new AppError(404, 'not_found', 'this counter signs in with the e-ID: it has no access rights of its own');
    return rules;
  };
  const refusal = (s: AccessRightsStatus | null): SignInRefusal | null =>
    !s
      ? { outcome: 'refused', state: 'no-access-rights' }
      : s.state === 'active'
        ? null
        : { outcome: 'refused', state: s.state, ...(s.lockedUntil ? { lockedUntil: s.lockedUntil } : {}) };
  const wrong = async (userId: string, element: SignInElement): Promise<SignInStep> => {
    const s = await accessRights.failed(userId, element);
    return { outcome: 'wrong', element, state: s.state, failuresInARow: s.failuresInARow, ...(s.lockedUntil ? { lockedUntil: s.lockedUntil } : {}) };
  };

  return {
    /** The first step: user code and password; right, a code goes by SMS. */
    async password(caller: Caller, input: { userCode: string; password: string; lang?: Lang }): Promise<SignInStep> {
      const r = ownOnly();
      const row = await db.credential.findUnique({ where: { userCode: normalUserCode(input.userCode) } });
      if (!row) {
        await verifyPassword(input.password, await (decoy ??= hashPassword(randomUUID())));
        // No account to count against: the same answer as a wrong password, nothing reported.
        return { outcome: 'wrong', element: 'user-code', state: 'active' };
      }
      const refused = refusal(await accessRights.status(row.userId));
      if (refused) return refused;
      if (!(await verifyPassword(input.password, row.passwordHash))) return wrong(row.userId, 'password');

      const user = await db.registeredUser.findUnique({ where: { id: row.userId }, select: { sub: true, mobilePhone: true } });
      if (!user?.mobilePhone)
        throw new AppError(409, 'no_mobile_phone', 'no mobile phone number is known for this account: the Chancellery records one (NE 5.3)');
      if (!sms) throw new AppError(503, 'sms_unavailable', 'no SMS provider is configured: the sign-in code cannot be sent');
      const f = r.secondFactor;
      const challengeId = randomUUID();
      const code = String(randomInt(0, 10 ** f.digits)).padStart(f.digits, '0');
      const at = now();
      const expiresAt = new Date(at.getTime() + f.validityMinutes * 60_000);
      await db.transactionCode.create({
        data: {
          id: challengeId,
          userSub: user.sub,
          action: SIGN_IN_ACTION,
          service: row.userId,
          codeHash: digest(challengeId, code).toString('hex'),
          createdAt: at,
          expiresAt,
        },
      });
      try {
        const { messageId } = await sms.send(user.mobilePhone, secondFactorSms(r, input.lang ?? 'fr', code));
        await db.transactionCode.update({ where: { id: challengeId }, data: { smsMessageId: messageId } });
      } catch {
        await db.transactionCode.delete({ where: { id: challengeId } });
        throw new AppError(503, 'sms_unavailable', 'the SMS could not be sent now: try again in a moment');
      }
      await writeAudit(db, { ...actorOf(caller), action: 'sign-in.code-sent', recordType: 'registered-user', recordId: row.userId });
      return { outcome: 'second-factor', challengeId, expiresAt: expiresAt.toISOString() };
    },

    /** The second step: the code from the SMS. */
    async secondFactor(caller: Caller, input: { challengeId: string; code: string }): Promise<SignInStep> {
      const r = ownOnly();
      const row = /^[0-9a-f-]{36}$/i.test(input.challengeId) ? await db.transactionCode.findUnique({ where: { id: input.challengeId } }) : null;
      if (!row || row.action !== SIGN_IN_ACTION) throw new AppError(404, 'not_found', 'no such sign-in: start again with the user code and password');
      const userId = row.service;
      const refused = refusal(await accessRights.status(userId));
      if (refused) return refused;
      const at = now();
      if (row.usedAt || row.expiresAt <= at || row.wrongTries >= r.secondFactor.maxWrongTries)
        throw new AppError(410, 'sign_in_expired', 'this sign-in code is used, expired or void: start again with the user code and password');
      const right = /^\d+$/.test(input.code) && timingSafeEqual(digest(row.id, input.code), Buffer.from(row.codeHash, 'hex'));
      if (!right) {
        await db.transactionCode.update({ where: { id: row.id }, data: { wrongTries: { increment: 1 } } });
        return wrong(userId, 'second-factor');
      }
      const { count } = await db.transactionCode.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: at, usedFor: 'signed-in' } });
      if (count !== 1) throw new AppError(410, 'sign_in_expired', 'this sign-in code was used already');
      const after = await accessRights.succeeded(userId);
      const late = refusal(after);
      if (late) return late;
      const credential = await db.credential.findUniqueOrThrow({ where: { userId } });
      await writeAudit(db, { ...actorOf(caller), action: 'sign-in.succeeded', recordType: 'registered-user', recordId: userId });
      return { outcome: 'signed-in', sub: row.userSub, mustChange: credential.mustChange, challengeId: row.id };
    },

    /** NE 4.2: the new personal password, once both factors passed (the challenge that passed them). */
    async changePassword(caller: Caller, input: { challengeId: string; newPassword: string; lang?: Lang }): Promise<{ changed: true }> {
      const r = ownOnly();
      const row = /^[0-9a-f-]{36}$/i.test(input.challengeId) ? await db.transactionCode.findUnique({ where: { id: input.challengeId } }) : null;
      if (!row || row.action !== SIGN_IN_ACTION || row.usedFor !== 'signed-in' || !row.usedAt || now().getTime() - row.usedAt.getTime() > CHANGE_WITHIN_MS)
        throw new AppError(410, 'sign_in_expired', 'sign in again to change the password');
      const lang = input.lang ?? 'fr';
      const issues = passwordIssues(r, input.newPassword, lang);
      if (issues.length > 0)
        throw invalidField(
          'newPassword',
          `the password needs ${passwordIssues(r, input.newPassword, 'en').join(', ')} (NE 4.2)`,
          lang === 'de' ? `Das Passwort braucht ${issues.join(', ')}.` : `Le mot de passe doit comporter ${issues.join(', ')}.`,
        );
      const credential = await db.credential.findUniqueOrThrow({ where: { userId: row.service } });
      if (await verifyPassword(input.newPassword, credential.passwordHash))
        throw invalidField(
          'newPassword',
          'the new password is the one it replaces',
          lang === 'de' ? 'Wählen Sie ein anderes Passwort als das Anfangspasswort.' : 'Choisissez un autre mot de passe que le mot de passe initial.',
        );
      const hash = await hashPassword(input.newPassword);
      // One change per sign-in: the challenge is spent by it.
      const { count } = await db.transactionCode.updateMany({ where: { id: row.id, usedFor: 'signed-in' }, data: { usedFor: 'password-changed' } });
      if (count !== 1) throw new AppError(410, 'sign_in_expired', 'sign in again to change the password');
      await db.credential.update({ where: { userId: row.service }, data: { passwordHash: hash, mustChange: false, passwordChangedAt: now() } });
      await writeAudit(db, { ...actorOf(caller), action: 'credentials.password-changed', recordType: 'registered-user', recordId: row.service });
      return { changed: true };
    },
  };
}

export type SignInUseCases = ReturnType<typeof signInUseCases>;
