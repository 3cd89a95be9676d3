// The electronic identity proof (Art. 3): a verification of the person's federal e-ID at the
// canton's verifier, started by the signed-in person, answered by their wallet, read by
// webhook or by polling, within the engine's own deadline. An application takes the
// verified claims once (app/onboarding.ts): names, birth date and AVS number never come
// from typed fields.
import { randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client';
import { normalizeAvs } from '../domain/avs';
import { sameName } from '../domain/names';
import type { Db } from '../infra/db';
import { ADAPTER_CODES, EidVerifierUnavailableError, type EidClaims, type EidVerificationResult, type EidVerifier } from '../infra/eid/verifier-client';
import { writeAudit } from '../records/audit';
import { actorOf, type Caller } from './caller';
import { AppError, notFound } from './errors';

export type VerificationStatus = 'pending' | 'verified' | 'failed' | 'expired';

export interface IdentityVerificationView {
  verificationId: string;
  status: VerificationStatus;
  /** Why it failed or expired: the verifier's error_code or the engine's own. */
  failureCode?: string;
  expiresAt: string;
  /** While pending: what the wallet opens (the QR code's content) and the request object's URL. */
  deeplink?: string;
  walletUrl?: string;
  /** Once verified and not yet used: whom it proved (the AVS number is not shown). */
  identity?: { firstName: string; lastName: string; birthDate: string };
  /** The application that used it. */
  usedByApplication?: string;
}

/** What an application takes from a verified presentation: the claims and the evidence kept with the contract. */
export interface ProvenIdentity {
  verificationId: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  avsNumber: string;
  evidence: {
    verificationId: string;
    verifierId: string;
    verifiedAt: string;
    issuer: string;
    vct: string;
    presentationSha256: string;
    /** The disclosed claims only, as the verifier returned them. */
    claims: EidClaims;
  };
}

export interface IdentityDeps {
  db: Db;
  /** The canton's e-ID verifier; null when none is configured (every e-ID route then answers 503). */
  eid: EidVerifier | null;
  /** How long a verified presentation may be used for an application. */
  proofValidityMs?: number;
  /** At most this many pending verifications per person at once. */
  maxPending?: number;
  now?: () => Date;
}

const unavailable = () => new AppError(503, 'eid_unavailable', 'the e-ID verifier cannot be reached now; try again shortly');

/** `code` names a verifier that no longer knows the verification, or our own deadline. */
const isExpiry = (code: string) => code === ADAPTER_CODES.expired || code === ADAPTER_CODES.deadline;

type Row = Awaited<ReturnType<Db['identityVerification']['findUniqueOrThrow']>>;

export function identityUseCases({ db, eid, proofValidityMs = 30 * 60_000, maxPending = 5, now = () => new Date() }: IdentityDeps) {
  const verifier = () => {
    if (!eid) throw new AppError(503, 'eid_not_configured', 'no e-ID verifier is configured for this counter');
    return eid;
  };

  /** Writes a read's outcome, once: a row that is no longer pending is left as it is. */
  async function settle(row: Row, r: EidVerificationResult): Promise<Row> {
    if (r.status === 'pending') return row;
    const data: Prisma.IdentityVerificationUpdateManyMutationInput =
      r.status === 'verified'
        ? {
            status: 'verified',
            verifiedAt: new Date(r.verifiedAt),
            claims: r.claims as Prisma.InputJsonObject,
            issuer: r.issuer,
            vct: r.vct,
            presentationSha256: r.presentationSha256,
          }
        : { status: isExpiry(r.code) ? 'expired' : 'failed', failureCode: r.code };
    await db.identityVerification.updateMany({ where: { id: row.id, status: 'pending' }, data });
    return db.identityVerification.findUniqueOrThrow({ where: { id: row.id } });
  }

  /** A pending verification read once at the verifier; past the engine's deadline, expired. */
  async function refresh(row: Row): Promise<Row> {
    if (row.status !== 'pending') return row;
    if (now() >= row.deadline) return settle(row, { status: 'failed', code: ADAPTER_CODES.deadline });
    try {
      return await settle(row, await verifier().result(row.verifierId, { afterWebhook: row.webhookAt !== null }));
    } catch (err) {
      if (err instanceof EidVerifierUnavailableError) throw unavailable();
      throw err;
    }
  }

  function view(row: Row): IdentityVerificationView {
    const claims = row.claims as EidClaims | null;
    return {
      verificationId: row.id,
      status: row.status as VerificationStatus,
      failureCode: row.failureCode ?? undefined,
      expiresAt: row.deadline.toISOString(),
      ...(row.status === 'pending' ? { deeplink: row.deeplink, walletUrl: row.walletUrl } : {}),
      ...(row.status === 'verified' && claims && !row.usedByApplication
        ? { identity: { firstName: claims.given_name!, lastName: claims.family_name!, birthDate: claims.birth_date! } }
        : {}),
      usedByApplication: row.usedByApplication ?? undefined,
    };
  }

  async function own(caller: Caller, verificationId: string): Promise<Row> {
    const row = await db.identityVerification.findUnique({ where: { id: verificationId } });
    // Someone else's verification is not there for this caller.
    if (!row || row.startedBySub !== caller.principal.sub) throw notFound('identity verification');
    return row;
  }

  return {
    /** Starts a verification at the verifier: the person opens its deeplink in their wallet. */
    async start(caller: Caller): Promise<IdentityVerificationView> {
      // Claims nobody can use any more are not kept: a verified proof past its validity, never used.
      await db.identityVerification.updateMany({
        where: { usedByApplication: null, status: 'verified', verifiedAt: { lt: new Date(now().getTime() - proofValidityMs) } },
        data: { claims: Prisma.DbNull, status: 'expired', failureCode: 'proof_unused' },
      });
      const pending = await db.identityVerification.count({
        where: { startedBySub: caller.principal.sub, status: 'pending', deadline: { gt: now() } },
      });
      if (pending >= maxPending) {
        throw new AppError(429, 'too_many_verifications', `at most ${maxPending} e-ID verifications may wait at once; finish or let one expire`);
      }
      let started;
      try {
        started = await verifier().startVerification();
      } catch (err) {
        if (err instanceof EidVerifierUnavailableError) throw unavailable();
        throw err;
      }
      const id = randomUUID();
      const row = await db.identityVerification.create({
        data: {
          id,
          verifierId: started.verificationId,
          startedBySub: caller.principal.sub,
          deeplink: started.deeplink,
          walletUrl: started.walletUrl,
          status: 'pending',
          deadline: new Date(started.expiresAt),
          createdAt: now(),
        },
      });
      await writeAudit(db, { ...actorOf(caller), action: 'identity.verification-started', recordType: 'identity-verification', recordId: id });
      return view(row);
    },

    /**
     * Where it stands; a pending one is read at the verifier. With `waitMs`, waits (polling
     * with backoff) until it is no longer pending or the wait is over.
     */
    async get(caller: Caller, verificationId: string, waitMs = 0): Promise<IdentityVerificationView> {
      let row = await refresh(await own(caller, verificationId));
      const until = Math.min(now().getTime() + waitMs, row.deadline.getTime());
      let pause = 250;
      while (row.status === 'pending' && now().getTime() < until) {
        await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(0, until - now().getTime()))));
        pause = Math.min(2_000, pause * 1.6);
        row = await refresh(await db.identityVerification.findUniqueOrThrow({ where: { id: row.id } }));
      }
      return view(row);
    },

    /**
     * The verifier's webhook: it says only that something happened to a verification (no
     * result, at least once): the result is read back from the verifier. False when the call
     * is not from our verifier.
     */
    async notified(headers: Record<string, string | string[] | undefined>, body: unknown): Promise<boolean> {
      const verifierId = verifier().parseWebhook(headers, body);
      if (!verifierId) return false;
      const row = await db.identityVerification.findUnique({ where: { verifierId } });
      if (!row) return true; // not one of ours (or already gone): nothing to do, and no retry wanted
      const seen = await db.identityVerification.update({ where: { id: row.id }, data: { webhookAt: row.webhookAt ?? now() } });
      await refresh(seen);
      return true;
    },

    /**
     * The identity an application takes: the caller's own verification, verified, not used,
     * recent enough. The application marks it used in its own transaction (`useProof`).
     */
    async proven(caller: Caller, verificationId: string): Promise<ProvenIdentity> {
      const field = 'identityVerificationId';
      const row = await refresh(
        await own(caller, verificationId).catch(() => {
          throw new AppError(422, 'identity_not_proven', 'no such e-ID verification of yours', [{ path: field, issue: 'unknown verification' }]);
        }),
      );
      if (row.usedByApplication) throw new AppError(409, 'identity_proof_used', 'this e-ID verification was already used by an application; start a new one');
      if (row.status !== 'verified') {
        const issue = row.status === 'pending' ? 'the e-ID presentation has not been received yet' : `the verification ${row.status} (${row.failureCode})`;
        throw new AppError(422, 'identity_not_proven', `the e-ID verification is ${row.status}: start a new one if it failed`, [{ path: field, issue }]);
      }
      if (now().getTime() - row.verifiedAt!.getTime() > proofValidityMs) {
        throw new AppError(422, 'identity_not_proven', 'the e-ID verification is too old for an application; start a new one', [
          { path: field, issue: `verified more than ${Math.round(proofValidityMs / 60_000)} minutes ago` },
        ]);
      }
      const claims = row.claims as EidClaims;
      return {
        verificationId: row.id,
        firstName: claims.given_name!,
        lastName: claims.family_name!,
        birthDate: claims.birth_date!,
        avsNumber: claims.personal_administrative_number!,
        evidence: {
          verificationId: row.id,
          verifierId: row.verifierId,
          verifiedAt: row.verifiedAt!.toISOString(),
          issuer: row.issuer!,
          vct: row.vct!,
          presentationSha256: row.presentationSha256!,
          claims,
        },
      };
    },

    /** The write that marks a proof used (in the application's transaction); its claims move to the application. */
    useProof(verificationId: string, applicationId: string) {
      // A second use is refused by the application's unique identity_verification_id.
      return db.identityVerification.updateMany({
        where: { id: verificationId, usedByApplication: null },
        data: { usedByApplication: applicationId, claims: Prisma.DbNull },
      });
    },
  };
}

export type IdentityUseCases = ReturnType<typeof identityUseCases>;

/** Typed values that differ from the verified ones: 422 naming the field. */
export function checkTypedIdentity(proof: ProvenIdentity, typed: Partial<Record<'lastName' | 'firstName' | 'birthDate' | 'avsNumber', string>>) {
  const differing: { path: string; issue: string }[] = [];
  if (typed.lastName !== undefined && !sameName(typed.lastName, proof.lastName)) differing.push({ path: 'lastName', issue: 'differs from the verified e-ID' });
  if (typed.firstName !== undefined && !sameName(typed.firstName, proof.firstName))
    differing.push({ path: 'firstName', issue: 'differs from the verified e-ID' });
  if (typed.birthDate !== undefined && typed.birthDate !== proof.birthDate) differing.push({ path: 'birthDate', issue: 'differs from the verified e-ID' });
  if (typed.avsNumber !== undefined && normalizeAvs(typed.avsNumber) !== normalizeAvs(proof.avsNumber))
    differing.push({ path: 'avsNumber', issue: 'differs from the verified e-ID' });
  if (differing.length) throw new AppError(422, 'identity_mismatch', 'the identity comes from the verified e-ID: the typed values differ from it', differing);
}
