// Qualified electronic signatures (ZertES; Art. 4.3, 5.2): the contract's and every terms
// acceptance's, verified before anything is stored. The verification itself is infra/qes
// (CMS / CAdES with PKI.js); this is what the use cases ask of it and how a failure answers.
import type { QesCheck, QesEvidence, QesVerifier } from '../infra/qes/verify';
import { AppError } from './errors';

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
