// Demo data of the embedded default: the administrative units of the walk-through, and the
// contract's first terms version that applicants sign (a deployment publishes its own with
// POST /v1/terms-versions).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../infra/db';

export const DEMO_UNITS = [
  { id: 'SPOP', name: 'Service de la population', address: ['Service de la population', 'Rue du 24-Septembre 1', '2800 Delémont'], domains: ['population'] },
  { id: 'SCC', name: 'Service des contributions', address: ['Service des contributions', 'Rue de la Justice 2', '2800 Delémont'], domains: ['impots'] },
  { id: 'SIN', name: 'Service des infrastructures', address: ['Service des infrastructures', 'Rue des Moulins 2', '2800 Delémont'], domains: ['construction'] },
];

/** Idempotent: the next start finds them and changes nothing. */
export async function seedDemoUnits(db: Db): Promise<void> {
  for (const u of DEMO_UNITS) {
    await db.unit.upsert({ where: { id: u.id }, create: u, update: {} });
  }
}

/** The text applicants sign in the walk-through (scripts/demo/terms-CG-2013-1.txt), as version CG-2013-1. */
export async function seedDemoTerms(db: Db, canton: string): Promise<void> {
  const document = readFileSync(join(__dirname, '..', 'demo', 'terms-CG-2013-1.txt'));
  const fields = {
    canton,
    title: "Contrat d'utilisation du guichet virtuel sécurisé, version 2013",
    mediaType: 'text/plain; charset=utf-8',
    document,
    documentSha256: createHash('sha256').update(document).digest('hex'),
    effectiveOn: '2013-01-01',
    acceptanceDays: 0,
    restrictFrom: '2013-01-01',
    blockFrom: '2013-01-01',
    publishedBy: 'demo-seed',
  };
  await db.termsVersion.upsert({ where: { version: 'CG-2013-1' }, create: { version: 'CG-2013-1', ...fields }, update: {} });
}
