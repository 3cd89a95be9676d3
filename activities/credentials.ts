// A person's own access rights, where the rule set has them (NE 3.1, 4.2, 4.3): the account's
// process is started once its contract is concluded, and issues them — a user code and an
// initial password, each in a letter of its own through the postal gateway. A replacement (lost
// or stolen access rights) is the next generation: a new code and password, the old ones void.
//
// Idempotent across retries: the initial password is derived from a server key and the
// account's generation (HMAC), never stored but as a scrypt hash; a retry renders the same
// letters and posts them under the same letter ids, which the gateway takes once. A key change
// between two tries gives a new password: its letter then goes under a new id, the hash follows.
import { createHmac, hkdfSync, randomInt } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { initialPasswordFrom, userCodeFrom } from '../domain/credentials';
import { ruleSetById } from '../domain/rule-sets';
import { voiceFor } from '../domain/words';
import type { Db } from '../infra/db';
import { hashPassword, verifyPassword } from '../infra/passwords';
import { SYSTEM_ACTOR, writeAudit } from '../records/audit';
import { renderCredentialLetter } from './credential-letter';
import type { PostalGateway } from './postal';

/** The server key initial passwords are derived from: from a payload key, so every worker agrees. */
export interface CredentialKey {
  id: string;
  key: Buffer;
}

export function credentialKeyFrom(id: string, payloadKey: Buffer): CredentialKey {
  return { id, key: Buffer.from(hkdfSync('sha256', payloadKey, Buffer.alloc(0), 'guichet/initial-passwords/v1', 32)) };
}

/** The accounts' access-rights processes, as the onboarding activities start them. */
export interface AccessRightsEngine {
  /** Starts the account's process under this rule set; false when it runs already. */
  start(userId: string, ruleSetId: string): Promise<boolean>;
}

export interface CredentialActivityDeps {
  db: Db;
  postal: PostalGateway;
  accessRights?: AccessRightsEngine;
  credentialKey?: CredentialKey;
}

export function createCredentialActivities({ db, postal, accessRights, credentialKey }: CredentialActivityDeps) {
  return {
    /** NE 3.1: the State signed the contract; the account's access-rights process starts (and issues them). */
    async openAccessRights({ userId, ruleSetId }: { userId: string; ruleSetId: string }): Promise<void> {
      if (!accessRights) throw ApplicationFailure.nonRetryable('no access-rights engine is configured in this worker', 'NotConfigured');
      if (await accessRights.start(userId, ruleSetId))
        await writeAudit(db, { ...SYSTEM_ACTOR, action: 'access-rights.opened', recordType: 'registered-user', recordId: userId });
    },

    /** NE 4.3: a replacement asked for, its fee noted (the rule set's notice) in the audit trail. */
    async recordCredentialReplacementAsked(r: { userId: string; by: string; requestId: string; generation: number; ruleSetId: string }): Promise<void> {
      const fee = ruleSetById(r.ruleSetId).accessRights?.credentials.replacementFee;
      await writeAudit(db, {
        actorSub: r.by,
        actorRole: 'chancellery',
        action: `credentials.replacement-asked${fee?.amountChf ? `.fee-chf-${fee.amountChf}` : '.fee-reserved'}`,
        recordType: 'registered-user',
        recordId: r.userId,
        requestId: r.requestId,
      });
    },

    /**
     * Issues generation `generation` of the account's access rights and posts its two letters
     * (NE 3.1); nothing when that generation's letters went out already. `sentOn` is the
     * letters' date (the workflow's day: the same bytes on a retry).
     */
    async issueCredentials({
      userId,
      ruleSetId,
      generation,
      sentOn,
    }: {
      userId: string;
      ruleSetId: string;
      generation: number;
      sentOn: string;
    }): Promise<{ generation: number; userCodeLetter: string; passwordLetter: string }> {
      if (!credentialKey) throw ApplicationFailure.nonRetryable('no credential key is configured in this worker', 'NotConfigured');
      const rules = ruleSetById(ruleSetId).accessRights?.credentials;
      if (!rules) throw ApplicationFailure.nonRetryable(`rule set ${ruleSetId} has no access rights of its own`, 'NoAccessRights');
      const user = await db.registeredUser.findUnique({ where: { id: userId } });
      if (!user) throw ApplicationFailure.nonRetryable('no such account in the user register', 'UnknownAccount');

      const password = initialPasswordFrom(
        rules,
        createHmac('sha256', credentialKey.key)
          .update(`initial-password:${userId}:${generation}`)
          .digest()
          .subarray(0, 2 * Math.max(rules.initialPasswordLength, rules.password.minLength)),
      );
      let row = await db.credential.findUnique({ where: { userId } });
      if (row && row.generation > generation) throw ApplicationFailure.nonRetryable(`generation ${generation} was replaced already`, 'Superseded');
      if (row?.generation === generation && row.userCodeLetter && row.passwordLetter)
        return { generation, userCodeLetter: row.userCodeLetter, passwordLetter: row.passwordLetter };

      if (!row || row.generation < generation) {
        // A new code for each generation: a stolen one is void with the rest.
        const data = {
          passwordHash: await hashPassword(password),
          mustChange: true,
          generation,
          issuedAt: new Date(),
          userCodeLetter: null,
          passwordLetter: null,
        };
        for (let attempt = 0; ; attempt += 1) {
          const userCode = userCodeFrom(String(randomInt(0, 10 ** 10)).padStart(10, '0'));
          try {
            row = row
              ? await db.credential.update({ where: { userId }, data: { ...data, userCode, passwordChangedAt: null } })
              : await db.credential.create({ data: { userId, userCode, ...data } });
            break;
          } catch (err) {
            if ((err as { code?: string }).code !== 'P2002' || attempt >= 5) throw err; // P2002: that code is taken, draw another
            row = await db.credential.findUnique({ where: { userId } });
            if (row?.generation === generation) break; // a parallel try issued it
          }
        }
        await writeAudit(db, {
          ...SYSTEM_ACTOR,
          action: generation === 1 ? 'credentials.issued' : 'credentials.replaced',
          recordType: 'registered-user',
          recordId: userId,
        });
      } else if (!(await verifyPassword(password, row.passwordHash))) {
        // The key changed since the hash was made: the letter carries the new password, the hash follows.
        row = await db.credential.update({ where: { userId }, data: { passwordHash: await hashPassword(password) } });
      }
      if (!row) throw new Error('the credential row vanished');

      const recipient = { name: `${user.firstName} ${user.lastName}`, street: user.street, postCode: user.postCode, locality: user.locality };
      const voice = voiceFor(user.canton, ruleSetId);
      const common = { recipient, rules, voice, sentOn, generation };
      const tag = credentialKey.id.replace(/[^\w-]/g, '').slice(0, 16);
      const userCodeLetter =
        row.userCodeLetter ??
        (
          await postal.sendRegistered({
            letterId: `${userId}-access-rights-${generation}-user-code`,
            recipient,
            pdf: await renderCredentialLetter({ ...common, kind: 'user-code', secret: row.userCode }),
          })
        ).trackingNumber;
      if (!row.userCodeLetter) await db.credential.update({ where: { userId }, data: { userCodeLetter } });
      const { trackingNumber: passwordLetter } = await postal.sendRegistered({
        letterId: `${userId}-access-rights-${generation}-password-${tag}`,
        recipient,
        pdf: await renderCredentialLetter({ ...common, kind: 'password', secret: password }),
      });
      await db.credential.update({ where: { userId }, data: { passwordLetter } });
      await writeAudit(db, { ...SYSTEM_ACTOR, action: 'credentials.letters-posted', recordType: 'registered-user', recordId: userId });
      return { generation, userCodeLetter, passwordLetter };
    },
  };
}
