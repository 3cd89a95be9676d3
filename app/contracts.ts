// The user contract (Art. 5-7, 10): terms versions and their rollout, the user's acceptance
// with a QES or refusal, misuse reports, notice; the Chancellery's blocks and termination.
// The contract's workflow judges every change (its validators answer 409/422 at once); the
// use cases check what only they can: the caller, the version's text and the signed hash.
import { createHash } from 'node:crypto';
import { termsSchedule, type ContractStatus } from '../domain/contract';
import { localDay } from '../domain/days';
import { normalizeUid } from '../domain/uid';
import { profiles, type CantonCode } from '../domain/profiles';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/db';
import { writeAudit } from '../records/audit';
import { isUniqueViolation } from '../records/unique';
import { termsRolloutWorkflowId } from '../workflows/terms-rollout/definitions';
import type { ContractState } from '../workflows/contract/types';
import { personalData } from '../workflows/personal-data';
import { actorOf, type Caller } from './caller';
import { AppError, invalidField, notFound } from './errors';
import type { ContractAct, ContractActArgs, ContractGateway } from './gateways/contract';
import type { TermsRolloutGateway } from './gateways/terms-rollout';
import { requireAccess } from './policy';
import { statedSigningTimeDiffers, verifiedSignature, type SignatureVerifier } from './signatures';
import { HOLDER, holderOf } from '../records/holders';

export const MAX_TERMS_PDF_BYTES = 5 * 1024 * 1024;

export interface TermsVersionInput {
  version: string;
  title: string;
  document: { text: string } | { pdfBase64: string };
  effectiveOn?: string;
  acceptanceDays?: number;
}

type TermsRow = Omit<Prisma.TermsVersionGetPayload<object>, 'document'>;

export interface ContractDeps {
  db: Db;
  contracts: ContractGateway;
  termsRollouts: TermsRolloutGateway;
  /** Verifies the qualified signatures of terms acceptances (null: none configured, acceptances answer 503). */
  signatures: SignatureVerifier | null;
  canton: CantonCode;
  now?: () => Date;
}

export function contractUseCases({ db, contracts, termsRollouts, signatures, canton, now = () => new Date() }: ContractDeps) {
  const profile = profiles[canton];

  const termsOut = (v: TermsRow) => ({
    version: v.version,
    sequence: v.sequence,
    title: v.title,
    mediaType: v.mediaType,
    documentSha256: v.documentSha256,
    effectiveOn: v.effectiveOn,
    acceptanceDays: v.acceptanceDays,
    lastAcceptanceDay: termsSchedule(v.effectiveOn, v.acceptanceDays, profile).lastAcceptanceDay,
    restrictFrom: v.restrictFrom,
    blockFrom: v.blockFrom,
    publishedAt: v.publishedAt.toISOString(),
  });
  const stateOut = (s: ContractState) => ({
    contractId: s.contractId,
    status: s.status,
    reason: s.reason,
    acceptedTermsVersion: s.acceptedTermsVersion,
    pendingTerms: s.pendingTerms && {
      version: s.pendingTerms.version,
      effectiveOn: s.pendingTerms.effectiveOn,
      restrictFrom: s.pendingTerms.restrictFrom,
      blockFrom: s.pendingTerms.blockFrom,
    },
    blocks: s.blocks.map((b) => ({ kind: b.kind, reason: b.reason, since: b.since })),
    noticeEndsOn: s.noticeEndsOn,
    endedOn: s.endedOn,
    specialClauses: s.specialClauses,
    refusalTaskId: s.task?.taskId ?? null,
  });
  type ContractView = ReturnType<typeof stateOut>;

  /** From its workflow; from the stored record (the state the API enforces) when the workflow is not there. */
  async function contractView(contractId: string): Promise<ContractView> {
    const s = await contracts.state(contractId);
    if (s) return stateOut(s);
    const c = await db.contract.findUnique({ where: { id: contractId }, include: { amendments: { orderBy: { agreedAt: 'asc' } } } });
    if (!c) throw notFound('contract');
    return {
      contractId: c.id,
      status: c.status as ContractStatus,
      reason: c.statusReason,
      acceptedTermsVersion: c.termsVersion,
      pendingTerms: null,
      blocks: [],
      noticeEndsOn: c.noticeEndsOn,
      endedOn: c.endedOn,
      specialClauses: c.amendments.flatMap((a) => a.clauses),
      refusalTaskId: null,
    };
  }

  /**
   * The contract the caller acts on: his own, or with `entityUid` the entity's he signs for
   * (Art. 11-13: its signatories act on its contract as a person on hers; a collective
   * signature acts in writing, through the Chancellery).
   */
  async function myContract(caller: Caller, entityUid?: string): Promise<string> {
    if (entityUid !== undefined) return entityContract(caller, entityUid);
    const c = await db.contract.findFirst({ where: { user: { sub: caller.principal.sub } }, orderBy: { createdAt: 'desc' }, select: { id: true } });
    requireAccess(caller.principal, 'act-as-person', c && { type: 'contract', userSub: caller.principal.sub }, 'contract');
    return c!.id;
  }

  async function entityContract(caller: Caller, entityUid: string): Promise<string> {
    const member = await db.entityMember.findFirst({
      where: { sub: caller.principal.sub, entity: { uid: normalizeUid(entityUid) ?? '(none)' } },
      include: { entity: { include: { contracts: { orderBy: { createdAt: 'desc' }, take: 1, select: { id: true } } } } },
    });
    if (!member || !member.entity.contracts[0]) throw notFound('contract');
    if (member.role !== 'signatory' || member.status !== 'active')
      throw new AppError(403, 'forbidden', "only the entity's signatories act on its contract (Art. 11.1)");
    if (member.entity.signingPower === 'collective')
      throw new AppError(
        403,
        'written_form_required',
        'this entity signs collectively: its contract is changed in writing, through the Chancellery (Art. 13.1)',
      );
    return member.entity.contracts[0].id;
  }

  async function anyContract(caller: Caller, contractId: string): Promise<string> {
    return (await heldContract(caller, contractId)).id;
  }

  async function heldContract(caller: Caller, contractId: string): Promise<{ id: string; holderSub: string }> {
    const c = await db.contract.findUnique({ where: { id: contractId }, include: HOLDER });
    requireAccess(caller.principal, 'administer', c && { type: 'contract', userSub: holderOf(c).sub }, 'contract');
    return { id: c!.id, holderSub: holderOf(c!).sub };
  }

  /**
   * Where the contract's rule set communicates changes of the terms (NE 9), there is no
   * version to accept or refuse: a 409 here, before the signature is checked or the workflow asked.
   */
  async function requireTermsToAccept(contractId: string): Promise<void> {
    const c = await db.contract.findUniqueOrThrow({ where: { id: contractId }, select: { canton: true } });
    const rules = profiles[c.canton as CantonCode];
    if (rules.contract.termsChanges === 'communicated')
      throw new AppError(
        409,
        'terms_not_accepted_here',
        `under rule set ${rules.ruleSet.id} changes of the terms of use are communicated to every user: there is nothing to accept or refuse`,
      );
  }

  async function act<K extends ContractAct>(caller: Caller, contractId: string, kind: K, arg: ContractActArgs[K], action: string): Promise<ContractView> {
    const s = await contracts.act(contractId, kind, arg);
    await writeAudit(db, { ...actorOf(caller), action, recordType: 'contract', recordId: contractId });
    return stateOut(s);
  }

  /** Rollout progress; null figures while nothing is on the server. */
  async function withRollout(v: TermsRow) {
    const progress = await termsRollouts.progress(v.version);
    return { ...termsOut(v), rollout: { workflowId: termsRolloutWorkflowId(v.version), notified: progress?.notified ?? null, done: progress?.done ?? null } };
  }

  return {
    // ---- terms versions (Art. 5.1)
    /** Publishes a version; every contract that has not ended is notified, in batches (Art. 5.2). Idempotent. */
    async publishTerms(caller: Caller, input: TermsVersionInput) {
      const today = localDay(now(), profile.timeZone);
      const effectiveOn = input.effectiveOn ?? today;
      if (effectiveOn < today) throw invalidField('effectiveOn', 'a new version cannot take effect in the past', 'the request body is not valid');
      const isText = 'text' in input.document;
      const document = 'text' in input.document ? Buffer.from(input.document.text, 'utf8') : Buffer.from(input.document.pdfBase64, 'base64');
      if (!isText && (document.length > MAX_TERMS_PDF_BYTES || document.subarray(0, 5).toString('latin1') !== '%PDF-')) {
        throw invalidField('document.pdfBase64', 'not a PDF of at most 5 MiB', 'the request body is not valid');
      }
      const acceptanceDays = input.acceptanceDays ?? profile.contract.defaultAcceptanceDays;
      const schedule = termsSchedule(effectiveOn, acceptanceDays, profile);
      const fields = {
        title: input.title,
        mediaType: isText ? 'text/plain; charset=utf-8' : 'application/pdf',
        documentSha256: createHash('sha256').update(document).digest('hex'),
        effectiveOn,
        acceptanceDays,
        restrictFrom: schedule.restrictFrom,
        blockFrom: schedule.blockFrom,
      };
      // A retry without effectiveOn on a later day is the same publication, not a new one.
      const compared = (Object.keys(fields) as (keyof typeof fields)[]).filter(
        (k) => input.effectiveOn !== undefined || !['effectiveOn', 'restrictFrom', 'blockFrom'].includes(k),
      );

      let row: TermsRow | null = await db.termsVersion.findUnique({ where: { version: input.version }, omit: { document: true } });
      let created = false;
      if (!row) {
        try {
          row = await db.termsVersion.create({
            data: { version: input.version, canton, document: new Uint8Array(document), publishedBy: caller.principal.sub, ...fields },
            omit: { document: true },
          });
          created = true;
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          row = await db.termsVersion.findUniqueOrThrow({ where: { version: input.version }, omit: { document: true } });
        }
      }
      if (!compared.every((k) => row![k] === fields[k]))
        throw new AppError(409, 'conflict', `terms version ${input.version} is already published with other content`, [
          { path: 'version', issue: 'already published' },
        ]);
      // Started after the row is stored, and again on a retry: a failure between the two is repaired by repeating the request.
      await termsRollouts.start(input.version);
      if (created) await writeAudit(db, { ...actorOf(caller), action: 'terms.published', recordType: 'terms-version', recordId: input.version });
      return { created, terms: { ...termsOut(row), rollout: { workflowId: termsRolloutWorkflowId(input.version), notified: null, done: null } } };
    },

    async listTerms() {
      const rows = await db.termsVersion.findMany({ orderBy: { sequence: 'desc' }, omit: { document: true } });
      return rows.map(termsOut);
    },

    async getTerms(version: string) {
      const v = await db.termsVersion.findUnique({ where: { version }, omit: { document: true } });
      if (!v) throw notFound('terms version');
      return withRollout(v);
    },

    async termsDocument(version: string) {
      const v = await db.termsVersion.findUnique({ where: { version }, select: { version: true, mediaType: true, document: true } });
      if (!v) throw notFound('terms version');
      return { version: v.version, mediaType: v.mediaType, data: Buffer.from(v.document) };
    },

    // ---- the user's own contract
    async myContract(caller: Caller, entityUid?: string) {
      return contractView(await myContract(caller, entityUid));
    },

    /** Art. 5.2: a QES of the version waiting, by the user; the hash must be the version's own. */
    async acceptTerms(caller: Caller, a: { version: string; documentSha256: string; signatureValue: string; signedAt?: string }, entityUid?: string) {
      const id = await myContract(caller, entityUid);
      await requireTermsToAccept(id);
      const v = await db.termsVersion.findUnique({ where: { version: a.version }, select: { documentSha256: true, document: true } });
      if (!v) throw new AppError(422, 'unprocessable', `terms version ${a.version} is not published`, [{ path: 'version', issue: 'unknown version' }]);
      if (v.documentSha256 !== a.documentSha256) {
        throw new AppError(422, 'unprocessable', 'the signed hash is not the hash of this version of the terms', [
          { path: 'documentSha256', issue: `must be the SHA-256 of version ${a.version}` },
        ]);
      }
      const user = await db.registeredUser.findUniqueOrThrow({ where: { sub: caller.principal.sub }, select: { firstName: true, lastName: true } });
      const evidence = await verifiedSignature(signatures, 'signatureValue', {
        signatureBase64: a.signatureValue,
        document: v.document,
        expectedSigner: { givenName: user.firstName, familyName: user.lastName },
      });
      if (statedSigningTimeDiffers(a.signedAt, evidence)) {
        throw new AppError(422, 'unprocessable', 'the signing time differs from the one in the signature', [
          { path: 'signedAt', issue: `differs from the signing time in the signature (${evidence.signingTime})` },
        ]);
      }
      const acceptance = { ...a, signedAt: evidence.signingTime, signatureEvidence: { ...evidence }, by: caller.principal.sub };
      // A QES carries the signer's certificate: personal data, under the contract's data key.
      return act(caller, id, 'acceptTerms', personalData('contract', id, acceptance), 'terms.acceptance-submitted');
    },

    /** Art. 5.3: refuse a version but ask to go on using the counter (a Chancellery task). */
    async refuseTerms(caller: Caller, version: string, entityUid?: string) {
      const id = await myContract(caller, entityUid);
      await requireTermsToAccept(id);
      return act(caller, id, 'refuseTerms', { version, by: caller.principal.sub }, 'terms.refused');
    },

    /** Art. 7.2: a misuse report blocks the account at once. */
    async reportMisuse(caller: Caller) {
      const id = await myContract(caller);
      return act(caller, id, 'reportMisuse', { by: caller.principal.sub }, 'contract.misuse-reported');
    },

    /** Art. 10.1: one month's notice, or its withdrawal before it ends. */
    async notice(caller: Caller, give: boolean, entityUid?: string) {
      const id = await myContract(caller, entityUid);
      return give
        ? act(caller, id, 'giveNotice', { by: caller.principal.sub }, 'contract.notice-given')
        : act(caller, id, 'cancelNotice', { by: caller.principal.sub }, 'contract.notice-cancelled');
    },

    // ---- the Chancellery
    /** With the holder's subject: a person's, or `entity:…` for a legal entity (Art. 11). */
    async getContract(caller: Caller, contractId: string) {
      const { id, holderSub } = await heldContract(caller, contractId);
      return { ...(await contractView(id)), holderSub };
    },

    /** Art. 10.2-10.3: blocks with the reason, their lifting, termination for abuse. Under the contract's data key. */
    async administer(
      caller: Caller,
      contractId: string,
      kind: 'block' | 'unblock' | 'terminate',
      input: { reason: string } | { justification: string } | { reasons: string[] },
    ) {
      const id = await anyContract(caller, contractId);
      const action = { block: 'contract.blocked', unblock: 'contract.unblocked', terminate: 'contract.terminated-for-abuse' }[kind];
      return act(caller, id, kind, personalData('contract', id, { ...input, by: caller.principal.sub }) as never, action);
    },
  };
}

export type ContractUseCases = ReturnType<typeof contractUseCases>;
