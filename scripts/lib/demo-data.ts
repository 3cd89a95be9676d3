// Demo data of the embedded default: the administrative units of the walk-through, and the
// contract's first terms version that applicants sign (a deployment publishes its own with
// POST /v1/terms-versions).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../infra/db';
import { JURA_ORIGIN } from '../../fakes/eid-wallet/demo-issuer';

/** Jura's demo units (the default). */
export const DEMO_UNITS = [
  { id: 'SPOP', name: 'Service de la population', address: ['Service de la population', 'Rue du 24-Septembre 1', '2800 Delémont'], domains: ['population'] },
  { id: 'SCC', name: 'Service des contributions', address: ['Service des contributions', 'Rue de la Justice 2', '2800 Delémont'], domains: ['impots'] },
  { id: 'SIN', name: 'Service des infrastructures', address: ['Service des infrastructures', 'Rue des Moulins 2', '2800 Delémont'], domains: ['construction'] },
];

/**
 * Neuchâtel's demo units (CANTON=NE). Their ids are the walk-through's (and the demo staff
 * accounts' units in the identity provider), so that the same commands serve both counters.
 */
export const NE_DEMO_UNITS = [
  {
    id: 'SPOP',
    name: 'Office de la population',
    address: ['Service des migrations', 'Office de la population', 'Rue de Tivoli 28', '2000 Neuchâtel'],
    domains: ['population'],
  },
  {
    id: 'SCC',
    name: 'Service des contributions',
    address: ['Service des contributions', 'Rue du Docteur-Coullery 5', '2300 La Chaux-de-Fonds'],
    domains: ['impots'],
  },
  {
    id: 'SIN',
    name: 'Service des ponts et chaussées',
    address: ['Service des ponts et chaussées', 'Rue J.-L. Pourtalès 13', '2000 Neuchâtel'],
    domains: ['construction'],
  },
];

/** The canton's demo data: units, the terms version applicants sign, and the fakes' fixtures (paths from the repository's root). */
export function demoDataOf(canton: string) {
  if (canton === 'NE')
    return {
      units: NE_DEMO_UNITS,
      terms: {
        version: 'GU-2025-1',
        file: 'terms-GU-2025-1.txt',
        title: "Contrat d'utilisation du Guichet unique, version mars 2025",
        effectiveOn: '2025-03-01',
      },
      people: 'fakes/registers/demo-people.ne.json',
      eidOrigin: { placeOfOrigin: 'Neuchâtel NE', birthPlace: 'Neuchâtel' },
      entities: 'fakes/commercial-register/demo-entities.ne.json',
    };
  return {
    units: DEMO_UNITS,
    terms: {
      version: 'CG-2013-1',
      file: 'terms-CG-2013-1.txt',
      title: "Contrat d'utilisation du guichet virtuel sécurisé, version 2013",
      effectiveOn: '2013-01-01',
    },
    people: 'fakes/registers/demo-people.json',
    eidOrigin: JURA_ORIGIN,
    entities: 'fakes/commercial-register/demo-entities.json',
  };
}

/** Idempotent: the next start finds them and changes nothing (a start for another canton renames and readdresses them). */
export async function seedDemoUnits(db: Db, canton = 'JU'): Promise<void> {
  for (const u of demoDataOf(canton).units) {
    await db.unit.upsert({ where: { id: u.id }, create: u, update: { name: u.name, address: u.address } });
  }
}

/** The text applicants sign in the walk-through (scripts/demo/terms-CG-2013-1.txt as CG-2013-1; NE: terms-GU-2025-1.txt as GU-2025-1). */
export async function seedDemoTerms(db: Db, canton: string): Promise<void> {
  const { terms } = demoDataOf(canton);
  const document = readFileSync(join(__dirname, '..', 'demo', terms.file));
  const fields = {
    canton,
    title: terms.title,
    mediaType: 'text/plain; charset=utf-8',
    document,
    documentSha256: createHash('sha256').update(document).digest('hex'),
    effectiveOn: terms.effectiveOn,
    acceptanceDays: 0,
    restrictFrom: terms.effectiveOn,
    blockFrom: terms.effectiveOn,
    publishedBy: 'demo-seed',
  };
  await db.termsVersion.upsert({ where: { version: terms.version }, create: { version: terms.version, ...fields }, update: {} });
}
