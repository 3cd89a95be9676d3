// Contracts and terms versions written straight to the database, as admission and the
// publication route write them (for workflow-level tests).
import { createHash, randomUUID } from 'node:crypto';
import { noticeOf } from '../../activities/contracts';
import { termsSchedule, type PendingTerms } from '../../domain/contract';
import { localDay } from '../../domain/days';
import { profiles, type CantonCode } from '../../domain/profiles';
import type { Db } from '../../infra/db';
import type { Client } from '@temporalio/client';
import { createTemporalContractEngine } from '../../app/gateways';
import { freshAvs, insertApplication } from './applications';

export interface TestContract {
  contractId: string;
  sub: string;
  email: string;
  applicationId: string;
}

/** An admitted user and their active contract (no workflow yet). */
export async function insertContract(db: Db, opts: { canton?: CantonCode } = {}): Promise<TestContract> {
  const canton = opts.canton ?? 'NE';
  const sub = `citizen-${randomUUID()}`;
  const email = `${randomUUID().slice(0, 8)}@example.ch`;
  const applicationId = await insertApplication(
    db,
    { avsNumber: freshAvs(), lastName: 'Contrat', firstName: 'Essai', birthDate: '1980-05-05', commune: 'Neuchâtel' },
    { applicantSub: sub, email, canton },
  );
  const a = await db.onboardingApplication.update({ where: { id: applicationId }, data: { status: 'approved' } });
  const userId = `user-${applicationId}`;
  await db.registeredUser.create({
    data: {
      id: userId,
      sub,
      avsNumber: a.avsNumber,
      lastName: a.lastName,
      firstName: a.firstName,
      email,
      street: a.street,
      postCode: a.postCode,
      locality: a.locality,
      commune: a.commune,
      birthDate: a.birthDate,
      canton,
      applicationId,
    },
  });
  const contractId = `contract-${applicationId}`;
  await db.contract.create({
    data: {
      id: contractId,
      userId,
      applicationId,
      status: 'active',
      canton,
      startedOn: localDay(new Date(), profiles[canton].timeZone),
      termsVersion: a.termsVersion,
      documentSha256: a.documentSha256,
      signatureValue: a.signatureValue,
      signedAt: a.signedAt,
      identityProofRef: a.identityProofRef,
    },
  });
  return { contractId, sub, email, applicationId };
}

/** A published terms version, as POST /v1/terms-versions stores it. */
export async function insertTermsVersion(
  db: Db,
  o: { canton?: CantonCode; effectiveOn: string; acceptanceDays: number },
): Promise<{ version: string; notice: PendingTerms; sha256: string; text: string }> {
  const canton = o.canton ?? 'NE';
  const version = `t-${randomUUID().slice(0, 8)}`;
  const text = `Conditions générales, version ${version}.`;
  const sha256 = createHash('sha256').update(text).digest('hex');
  const s = termsSchedule(o.effectiveOn, o.acceptanceDays, profiles[canton]);
  const row = await db.termsVersion.create({
    data: {
      version,
      canton,
      title: `CG ${version}`,
      mediaType: 'text/plain; charset=utf-8',
      document: new Uint8Array(Buffer.from(text)),
      documentSha256: sha256,
      effectiveOn: o.effectiveOn,
      acceptanceDays: o.acceptanceDays,
      restrictFrom: s.restrictFrom,
      blockFrom: s.blockFrom,
      publishedBy: 'chancellery-test',
    },
  });
  return { version, notice: noticeOf(row), sha256, text };
}

/** QES evidence for a version (the signature value is opaque to the engine). */
export const qesFor = (t: { version: string; sha256: string }, by: string) => ({
  version: t.version,
  documentSha256: t.sha256,
  signatureValue: 'MIIBqesSignatureValueOfTheTermsAAAA==',
  signedAt: new Date().toISOString(),
  by,
});

/**
 * A user of the counter as the API knows one: admitted, her contract's workflow running (so
 * that the contract gate lets her act), her register entry, and a citizen's token.
 */
export async function activeCitizen(stack: { db: Db; client: Client; taskQueue: string; token(r: { role: 'citizen'; sub: string }): Promise<string> }) {
  const c = await insertContract(stack.db, { canton: 'JU' });
  await createTemporalContractEngine(stack.client, stack.taskQueue).start({
    contractId: c.contractId,
    canton: 'JU',
    startedOn: localDay(new Date(), profiles.JU.timeZone),
    termsVersion: 'CG-2013-1',
    pendingTerms: null,
  });
  const user = await stack.db.registeredUser.findUniqueOrThrow({ where: { sub: c.sub } });
  return { ...c, user, avsNumber: user.avsNumber, token: await stack.token({ role: 'citizen', sub: c.sub }) };
}
