// Qualified electronic signatures (ZertES; Art. 4.3, 5.2): the contract's and every terms
// acceptance's, verified before anything is stored. The verification itself is infra/qes
// (CMS / CAdES with PKI.js); this is what the use cases ask of it and how a failure answers.
import type { QesCheck, QesEvidence, QesVerifier } from '../infra/qes/verify';
import type { CantonCode } from '../domain/profiles';
import type { Db } from '../infra/db';
import { AppError, invalidField } from './errors';

export type { QesCheck, QesEvidence, QesResult } from '../infra/qes/verify';

/** What the use cases ask of the verifier (infra/qes/verify.ts createQesVerifier). */
export type SignatureVerifier = QesVerifier;

/** What each failed check means for the person who signed. */
const CHECKS: Record<QesCheck, string> = {
  format: 'not a detached CAdES signature with its signed attributes (content type, message digest, signing time, signing certificate)',
  document: 'signs another document than this one',
  signature: 'the signature value does not verify with the signer certificate',
  chain: 'the certificate does not come from a recognised qualified certification authority',
  qualified: 'the certificate is not a qualified certificate for signatures',
  validity: 'the certificate was not valid at the signing time',
  revocation: 'the certificate is revoked, or its revocation list could not be checked',
  signer: 'the certificate names another person than the one who signs',
};

/**
 * The signature verified, or the use case stops: 422 naming the field and the failed check
 * (503 when the authority's revocation list could not be read: try again), nothing stored.
 */
export async function verifiedSignature(
  verifier: SignatureVerifier | null,
  field: string,
  input: Parameters<SignatureVerifier['verify']>[0],
): Promise<QesEvidence> {
  if (!verifier) throw new AppError(503, 'qes_not_configured', 'no qualified certification authorities are configured for this counter');
  const r = await verifier.verify(input);
  if (r.ok) return r.evidence;
  if (r.retryable)
    throw new AppError(503, 'qes_revocation_unavailable', `the signature could not be checked now (${r.reason}); try again shortly`, [
      { path: field, issue: r.check },
    ]);
  throw new AppError(422, 'signature_invalid', `the qualified signature failed the ${r.check} check: ${CHECKS[r.check]}`, [
    { path: field, issue: `${r.check}: ${r.reason}` },
  ]);
}

/** A signing time the caller states (optional) must be the signed one, within five minutes. */
export function statedSigningTimeDiffers(stated: string | undefined, evidence: QesEvidence): boolean {
  return stated !== undefined && Math.abs(new Date(stated).getTime() - new Date(evidence.signingTime).getTime()) > 5 * 60_000;
}

/** A contract's signature as the API takes it: a detached CAdES over a published terms version. */
export interface ContractSignatureInput {
  documentSha256: string;
  signatureValue: string;
  signedAt?: string;
  termsVersion: string;
}

/**
 * The contract's signature (Art. 4.3, 13.2): a QES over the published terms version's
 * document by `signer`. 422 naming the field otherwise; nothing is stored when it fails.
 */
export async function verifiedContractSignature(
  db: Db,
  verifier: SignatureVerifier | null,
  canton: CantonCode,
  sig: ContractSignatureInput,
  signer: { givenName: string; familyName: string },
): Promise<QesEvidence> {
  const v = await db.termsVersion.findUnique({ where: { version: sig.termsVersion }, select: { canton: true, document: true, documentSha256: true } });
  if (!v || v.canton !== canton) {
    throw new AppError(422, 'unprocessable', `terms version ${sig.termsVersion} is not published for this counter`, [
      { path: 'contractSignature.termsVersion', issue: 'unknown version' },
    ]);
  }
  if (v.documentSha256 !== sig.documentSha256) {
    throw new AppError(422, 'unprocessable', 'the signed hash is not the hash of this version of the terms', [
      { path: 'contractSignature.documentSha256', issue: `must be the SHA-256 of version ${sig.termsVersion}` },
    ]);
  }
  const evidence = await verifiedSignature(verifier, 'contractSignature.signatureValue', {
    signatureBase64: sig.signatureValue,
    document: v.document,
    expectedSigner: signer,
  });
  if (statedSigningTimeDiffers(sig.signedAt, evidence)) {
    throw invalidField(
      'contractSignature.signedAt',
      `differs from the signing time in the signature (${evidence.signingTime})`,
      'the request body is not valid',
    );
  }
  return evidence;
}
