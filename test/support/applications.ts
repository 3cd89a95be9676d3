// Test applications: the bodies a portal would send, and the rows the API would write.
import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../infra/db';

/** A valid AVS number no other test uses (the user register keeps AVS numbers unique). */
export function freshAvs(): string {
  const d = `756${String(randomInt(0, 1e9)).padStart(9, '0')}`;
  const sum = [...d].reduce((acc, c, i) => acc + Number(c) * (i % 2 ? 3 : 1), 0);
  const full = `${d}${(10 - (sum % 10)) % 10}`;
  return `${full.slice(0, 3)}.${full.slice(3, 7)}.${full.slice(7, 11)}.${full.slice(11)}`;
}

export interface RegisterEntry extends Person {
  domiciledInCanton: boolean;
  protectionMeasure: boolean;
}

/**
 * People for one test file, with fresh AVS numbers, and the register fixture that knows
 * them (in the documented format of fakes/registers).
 */
export function testPeople(extra: Record<string, Partial<RegisterEntry>> = {}) {
  const base = {
    adult: { lastName: 'Testeur', firstName: 'Adèle', birthDate: '1985-03-02', commune: 'Delémont', domiciledInCanton: true, protectionMeasure: false },
    minor: { lastName: 'Testeur', firstName: 'Mino', birthDate: '2011-06-30', commune: 'Porrentruy', domiciledInCanton: true, protectionMeasure: false },
    nonResident: { lastName: 'Testeur', firstName: 'Extra', birthDate: '1970-01-15', commune: 'Delémont', domiciledInCanton: false, protectionMeasure: false },
    protectedMinor: {
      lastName: 'Testeur',
      firstName: 'Curatelle',
      birthDate: '2012-09-09',
      commune: 'Saignelégier',
      domiciledInCanton: true,
      protectionMeasure: true,
    },
    protectedAdult: {
      lastName: 'Testeur',
      firstName: 'Curatelle',
      birthDate: '1990-09-09',
      commune: 'Saignelégier',
      domiciledInCanton: true,
      protectionMeasure: true,
    },
  };
  const all: Record<string, RegisterEntry> = {};
  for (const [k, v] of Object.entries({ ...base, ...extra })) all[k] = { ...base.adult, ...v, avsNumber: freshAvs() } as RegisterEntry;
  const dir = mkdtempSync(join(tmpdir(), 'guichet-people-'));
  const fixturePath = join(dir, 'people.json');
  writeFileSync(
    fixturePath,
    JSON.stringify({
      people: Object.values(all).map((p) => ({ ...p, commune: p.domiciledInCanton ? p.commune : null })),
    }),
  );
  return { people: all, fixturePath };
}

export type Person = { avsNumber: string; lastName: string; firstName: string; birthDate: string; commune: string };

/**
 * A body of the right shape whose identity proof and signature are not real: for the tests
 * of what the schema refuses (the real one: signedApplication in ./eid) and for the rows below.
 */
export function applicationBody(person: Person, email = `${randomUUID().slice(0, 8)}@example.ch`) {
  return {
    identityVerificationId: randomUUID(),
    lastName: person.lastName,
    firstName: person.firstName,
    avsNumber: person.avsNumber,
    address: { street: 'Rue de la Préfecture 2', postCode: '2800', locality: 'Delémont' },
    commune: person.commune,
    birthDate: person.birthDate,
    email,
    contractSignature: {
      documentSha256: 'a3f1c2d4e5b6a7980112233445566778899aabbccddeeff00112233445566778',
      signatureValue: 'MIIBsignatureValueBase64ExampleAAAA==',
      signedAt: '2026-11-20T10:15:00+01:00',
      termsVersion: 'CG-2013-1',
    },
  };
}

/** The row the API writes before it starts the workflow (for workflow-level tests). */
export async function insertApplication(db: Db, person: Person, opts: { applicantSub?: string; email?: string; canton?: 'JU' | 'NE' } = {}): Promise<string> {
  const id = randomUUID();
  const b = applicationBody(person, opts.email);
  await db.onboardingApplication.create({
    data: {
      id,
      canton: opts.canton ?? 'JU',
      status: 'checking',
      applicantSub: opts.applicantSub ?? `citizen-${id}`,
      filedBySub: opts.applicantSub ?? `citizen-${id}`,
      filedByRole: 'citizen',
      requestHash: 'test',
      avsNumber: person.avsNumber,
      lastName: b.lastName,
      firstName: b.firstName,
      street: b.address.street,
      postCode: b.address.postCode,
      locality: b.address.locality,
      commune: b.commune,
      birthDate: b.birthDate,
      email: b.email,
      identityProofRef: 'eid-check-2026-0001',
      documentSha256: b.contractSignature.documentSha256,
      signatureValue: b.contractSignature.signatureValue,
      signedAt: new Date(b.contractSignature.signedAt),
      termsVersion: b.contractSignature.termsVersion,
      refusalReasons: [],
      submittedAt: new Date(),
      retentionEventDay: '2026-11-23',
    },
  });
  return id;
}
