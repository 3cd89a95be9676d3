// Contract onboarding (Art. 3-4): applying, where an application stands, the authority's
// answer, the request for a formal decision after a refusal.
import { createHash, randomUUID } from 'node:crypto';
import { normalizeAvs } from '../domain/avs';
import { localDay } from '../domain/days';
import { profiles, type CantonCode } from '../domain/profiles';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/db';
import { writeAudit } from '../records/audit';
import { writeAccessLog } from '../records/access-log';
import { isUniqueViolation } from '../records/unique';
import { onboardingWorkflowId } from '../workflows/onboarding/definitions';
import { personalData } from '../workflows/personal-data';
import type { OnboardingStatus } from '../workflows/onboarding/types';
import { actorOf, readerOf, type Caller } from './caller';
import { AppError, invalidField, notFound } from './errors';
import type { AssistedSessionUseCases } from './assisted-sessions';
import { checkTypedIdentity, type IdentityUseCases, type ProvenIdentity } from './identity';
import { verifiedContractSignature, type ContractSignatureInput, type QesEvidence, type SignatureVerifier } from './signatures';
import type { FormalDecisionRequestView, FormalDecisionUseCases } from './formal-decisions';
import type { OnboardingGateway } from './gateways/onboarding';
import { may, requireAccess, type Resource } from './policy';

export interface ApplicationInput {
  /** The verified e-ID presentation the identity comes from (POST /v1/identity-verifications). */
  identityVerificationId: string;
  /** Optional: when typed, they must be the verified ones (422 naming the field otherwise). */
  lastName?: string;
  firstName?: string;
  avsNumber?: string;
  birthDate?: string;
  address: { street: string; postCode: string; locality: string };
  commune: string;
  email: string;
  /** The mobile phone sign-in codes go to (E.164): required where the rule set signs in with one (NE 4.1). */
  mobilePhone?: string;
  /** A detached CAdES signature over the terms version's document (the contract's text). */
  contractSignature: ContractSignatureInput;
  onBehalfOf?: string;
}

export interface ApplicationView {
  applicationId: string;
  /** `withdrawn`: its process could not start, nothing was decided */
  status: OnboardingStatus | 'withdrawn';
  pending: { kind: string; taskId: string; dueAt: string; claimed: boolean } | null;
  refusalReasons?: string[];
  /** Only refusals made before the formalDecision process carried a period to ask */
  formalDecisionDeadline?: string;
  /** The request for a formal decision after the refusal, once asked */
  formalDecisionRequest?: FormalDecisionRequestView;
  submittedAt: string;
  applicant?: {
    /** The applicant's subject: the Chancellery asks for the person's representation with it */
    sub: string;
    lastName: string;
    firstName: string;
    birthDate: string;
    commune: string;
    street: string;
    postCode: string;
    locality: string;
    email: string;
  };
}

export interface OnboardingDeps {
  db: Db;
  onboarding: OnboardingGateway;
  formalDecisions: FormalDecisionUseCases;
  identity: IdentityUseCases;
  signatures: SignatureVerifier | null;
  /** Counsellors act only in an assisted session; at the counter, the e-ID presentation opens it. */
  sessions?: Pick<AssistedSessionUseCases, 'requireSession' | 'openAtCounter'>;
  canton: CantonCode;
  now?: () => Date;
}

/** Same body, same hash: key order and the AVS number's notation do not matter. */
export function applicationHash(body: ApplicationInput): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        )
      : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical({ ...body, avsNumber: body.avsNumber && normalizeAvs(body.avsNumber) })))
    .digest('hex');
}

export function onboardingUseCases({ db, onboarding, formalDecisions, identity, signatures, sessions, canton, now = () => new Date() }: OnboardingDeps) {
  const profile = profiles[canton];

  async function record(applicationId: string): Promise<(Resource & { type: 'onboarding-application' }) | null> {
    const row = await db.onboardingApplication.findUnique({
      where: { id: applicationId },
      select: { applicantSub: true, filedBySub: true, filedByRole: true },
    });
    return row && { type: 'onboarding-application', ...row };
  }

  /** Where it stands, from its workflow; from the stored record when the workflow is not there. */
  async function view(applicationId: string): Promise<ApplicationView> {
    const row = await db.onboardingApplication.findUnique({
      where: { id: applicationId },
      select: { submittedAt: true, status: true, refusalReasons: true, formalDecisionDeadline: true },
    });
    if (!row) throw notFound('application');
    const request = (await formalDecisions.forRecord(`onboarding-application:${applicationId}`)) ?? undefined;
    const s = await onboarding.state(applicationId);
    if (!s) {
      const status = row.status as ApplicationView['status'];
      return {
        applicationId,
        status,
        pending: null,
        refusalReasons: row.refusalReasons.length ? row.refusalReasons : undefined,
        formalDecisionDeadline: row.formalDecisionDeadline ?? undefined,
        formalDecisionRequest: request,
        submittedAt: row.submittedAt.toISOString(),
      };
    }
    return {
      applicationId,
      status: s.status,
      pending: s.pending && { kind: s.pending.kind, taskId: s.pending.taskId, dueAt: s.pending.dueAt, claimed: s.pending.claimedBy !== null },
      refusalReasons: s.refusalReasons,
      formalDecisionDeadline: s.formalDecisionDeadline,
      formalDecisionRequest: request,
      submittedAt: row.submittedAt.toISOString(),
    };
  }

  /** Who applies for whom: a citizen for themself, a counsellor on someone's behalf. */
  function checkApplicant(caller: Caller, input: ApplicationInput): string {
    const { principal } = caller;
    if (principal.role === 'counsellor' && !input.onBehalfOf)
      throw invalidField('onBehalfOf', 'required for a counsellor', 'a counsellor applies on behalf of a citizen');
    if (principal.role === 'citizen' && input.onBehalfOf)
      throw invalidField('onBehalfOf', 'only a counsellor may act on behalf of someone', 'a citizen applies for themself');
    return principal.role === 'counsellor' ? input.onBehalfOf! : principal.sub;
  }

  /** One e-ID subject, one person: the register binds a person to the subject they first contracted with. */
  async function checkOnePersonOneSubject(applicantSub: string, avsNumber: string): Promise<void> {
    const bound = await db.registeredUser.findFirst({
      where: { OR: [{ avsNumber }, { sub: applicantSub }] },
      select: { sub: true, avsNumber: true, contracts: { where: { endedOn: null }, select: { id: true } } },
    });
    if (!bound) return;
    if (bound.sub !== applicantSub || bound.avsNumber !== avsNumber) {
      throw new AppError(409, 'identity_bound_elsewhere', 'this person, or this sign-in, is already registered with another identity');
    }
    // One contract at a time: a former user whose contract has ended may contract again.
    if (bound.contracts.length) throw new AppError(409, 'already_registered', 'this person already has a user contract');
  }

  /** The earlier answer to the same Idempotency-Key, or 422 when it came with another body. */
  async function replay(caller: Caller, key: string | null, hash: string): Promise<ApplicationView | undefined> {
    if (!key) return undefined;
    const prior = await db.onboardingApplication.findUnique({
      where: { filedBySub_idempotencyKey: { filedBySub: caller.principal.sub, idempotencyKey: key } },
      select: { id: true, requestHash: true, status: true, commune: true },
    });
    if (!prior) return undefined;
    if (prior.requestHash !== hash) throw new AppError(422, 'idempotency_key_reused', 'this Idempotency-Key was already used with a different body');
    // An API process that died between storing the application and starting its process (kill -9,
    // a crash) left it "checking" with no workflow: the client's retry starts it (the workflow id is
    // the application's, so a running one is left alone).
    if (prior.status === 'checking') await onboarding.start({ applicationId: prior.id, canton, commune: prior.commune });
    return view(prior.id);
  }

  /** The application, its open-application lock and its audit entry, in one transaction. */
  async function store(
    caller: Caller,
    input: ApplicationInput,
    proof: ProvenIdentity,
    signature: QesEvidence,
    ids: { applicationId: string; applicantSub: string; avsNumber: string; key: string | null; hash: string; today: string },
  ) {
    const { principal } = caller;
    await db.$transaction([
      identity.useProof(proof.verificationId, ids.applicationId),
      // At most one open application per person: this row exists while one is open.
      db.openApplication.create({ data: { avsNumber: ids.avsNumber, applicationId: ids.applicationId } }),
      db.onboardingApplication.create({
        data: {
          id: ids.applicationId,
          canton,
          status: 'checking',
          applicantSub: ids.applicantSub,
          filedBySub: principal.sub,
          filedByRole: principal.role,
          idempotencyKey: ids.key,
          requestHash: ids.hash,
          avsNumber: ids.avsNumber,
          lastName: proof.lastName,
          firstName: proof.firstName,
          street: input.address.street,
          postCode: input.address.postCode,
          locality: input.address.locality,
          commune: input.commune,
          birthDate: proof.birthDate,
          email: input.email,
          mobilePhone: input.mobilePhone ?? null,
          identityProofRef: `eid:${proof.verificationId}`,
          identityVerificationId: proof.verificationId,
          identityEvidence: proof.evidence as unknown as Prisma.InputJsonObject,
          signatureEvidence: signature as unknown as Prisma.InputJsonObject,
          documentSha256: input.contractSignature.documentSha256,
          signatureValue: input.contractSignature.signatureValue,
          signedAt: new Date(signature.signingTime),
          termsVersion: input.contractSignature.termsVersion,
          refusalReasons: [],
          submittedAt: now(),
          retentionEventDay: ids.today,
        },
      }),
      db.auditLog.create({
        data: {
          ...actorOf(caller),
          onBehalfOf: principal.role === 'counsellor' ? ids.applicantSub : undefined,
          action: 'onboarding.applied',
          recordType: 'onboarding-application',
          recordId: ids.applicationId,
          workflowId: onboardingWorkflowId(ids.applicationId),
        },
      }),
    ]);
  }

  return {
    /** Art. 3-4: a citizen applies for themself, or a counsellor on their behalf. Idempotent on the key. */
    async apply(caller: Caller, input: ApplicationInput, idempotencyKey: string | null): Promise<{ view: ApplicationView; created: boolean }> {
      const today = localDay(now(), profile.timeZone);
      if (profile.accessRights && !input.mobilePhone)
        throw invalidField('mobilePhone', 'required on this counter', 'a mobile phone number is needed: each sign-in asks for a code sent by SMS (NE 4.1)');
      const applicantSub = checkApplicant(caller, input);
      const hash = applicationHash(input);
      const earlier = await replay(caller, idempotencyKey, hash);
      if (earlier) return { view: earlier, created: false };

      // Art. 3: who the person is comes from the verified e-ID presentation, never from typed fields.
      const proof = await identity.proven(caller, input.identityVerificationId);
      checkTypedIdentity(proof, input);
      const avsNumber = normalizeAvs(proof.avsNumber)!;
      await checkOnePersonOneSubject(applicantSub, avsNumber);
      const signature = await verifiedContractSignature(db, signatures, canton, input.contractSignature, {
        givenName: proof.firstName,
        familyName: proof.lastName,
      });
      const applicationId = randomUUID();
      try {
        await store(caller, input, proof, signature, { applicationId, applicantSub, avsNumber, key: idempotencyKey, hash, today });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        // The same key raced us, the proof was used meanwhile, or this person has an application open.
        const again = await replay(caller, idempotencyKey, hash);
        if (again) return { view: again, created: false };
        if (await db.onboardingApplication.findUnique({ where: { identityVerificationId: proof.verificationId }, select: { id: true } })) {
          throw new AppError(409, 'identity_proof_used', 'this e-ID verification was already used by an application; start a new one');
        }
        throw new AppError(409, 'application_open', 'an application for this person is already open');
      }
      // At a post office: the person's verified presentation at the counter opens the counsellor's session.
      if (caller.principal.role === 'counsellor') await sessions?.openAtCounter(caller, applicantSub);
      try {
        await onboarding.start({ applicationId, canton, commune: input.commune });
      } catch (err) {
        // Nothing half-written: without its process, the application is withdrawn.
        await db.$transaction([
          db.openApplication.deleteMany({ where: { applicationId } }),
          db.onboardingApplication.update({ where: { id: applicationId }, data: { status: 'withdrawn', idempotencyKey: null } }),
        ]);
        throw err;
      }
      return { view: await view(applicationId), created: true };
    },

    /** The applicant, the counsellor who filed, the Chancellery — who also sees whom it decides on (access-logged). */
    async get(caller: Caller, applicationId: string): Promise<ApplicationView> {
      const r = await record(applicationId);
      requireAccess(caller.principal, 'read', r, 'application');
      await sessions?.requireSession(caller, r!.applicantSub);
      const v = await view(applicationId);
      if (!may(caller.principal, 'read-personal-data', r)) return v;
      const applicant = await db.onboardingApplication.findUniqueOrThrow({
        where: { id: applicationId },
        select: {
          applicantSub: true,
          lastName: true,
          firstName: true,
          birthDate: true,
          commune: true,
          street: true,
          postCode: true,
          locality: true,
          email: true,
        },
      });
      await writeAccessLog(db, {
        ...readerOf(caller),
        action: 'read.onboarding-application',
        recordType: 'onboarding-application',
        recordId: applicationId,
        purpose: 'review of an onboarding application (Art. 4.7)',
      });
      const { applicantSub, ...person } = applicant;
      return { ...v, applicant: { sub: applicantSub, ...person } };
    },

    /** Art. 4.5 c: the protection authority's answer on civil capacity. */
    async answerAuthority(caller: Caller, applicationId: string, answer: { hasCivilCapacity: boolean; note?: string }): Promise<ApplicationView> {
      requireAccess(caller.principal, 'act-as-authority', await record(applicationId), 'application');
      // The authority's note is about the person: under the application's data key.
      await onboarding.answerAuthority(applicationId, personalData('onboarding-application', applicationId, { ...answer, by: caller.principal.sub }));
      await writeAudit(db, {
        ...actorOf(caller),
        action: 'onboarding.authority-answered',
        recordType: 'onboarding-application',
        recordId: applicationId,
        workflowId: onboardingWorkflowId(applicationId),
      });
      return view(applicationId);
    },

    /**
     * Art. 4.8: after a refusal, the applicant asks for a formal decision — at any time, in its
     * own process. A refusal made before that process existed still waits for the request in
     * its onboarding workflow, within the period it stated.
     */
    async requestFormalDecision(caller: Caller, applicationId: string): Promise<ApplicationView> {
      const r = await record(applicationId);
      requireAccess(caller.principal, 'act-as-person', r, 'application');
      await sessions?.requireSession(caller, r!.applicantSub);
      const row = await db.onboardingApplication.findUniqueOrThrow({ where: { id: applicationId }, select: { formalDecisionDeadline: true } });
      if (row.formalDecisionDeadline === null) {
        await formalDecisions.afterOnboardingRefusal(caller, applicationId);
        return view(applicationId);
      }
      await onboarding.requestFormalDecision(applicationId, caller.principal.sub);
      await writeAudit(db, {
        ...actorOf(caller),
        action: 'onboarding.formal-decision-requested',
        recordType: 'onboarding-application',
        recordId: applicationId,
        workflowId: onboardingWorkflowId(applicationId),
      });
      return view(applicationId);
    },
  };
}

export type OnboardingUseCases = ReturnType<typeof onboardingUseCases>;

/**
 * Applications an API process stored and then died before starting their workflow (kill -9,
 * a crash; found by the cluster's fault check), whose client did not retry: still "checking"
 * `olderThanMs` after they were filed, they get their workflow now, unless one ever ran for
 * them. The worker runs it every minute; returns how many it started.
 */
export async function startUnstartedApplications(
  deps: { db: Db; onboarding: Pick<OnboardingGateway, 'startIfNeverStarted'>; canton: CantonCode; now?: () => Date },
  o: { olderThanMs?: number; limit?: number; applicationIds?: string[] } = {},
): Promise<number> {
  const before = new Date((deps.now?.() ?? new Date()).getTime() - (o.olderThanMs ?? 60_000));
  const stale = await deps.db.onboardingApplication.findMany({
    where: { status: 'checking', canton: deps.canton, submittedAt: { lt: before }, ...(o.applicationIds ? { id: { in: o.applicationIds } } : {}) },
    select: { id: true, commune: true },
    orderBy: { submittedAt: 'asc' },
    take: o.limit ?? 100,
  });
  let started = 0;
  for (const a of stale) if (await deps.onboarding.startIfNeverStarted({ applicationId: a.id, canton: deps.canton, commune: a.commune })) started++;
  return started;
}
