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

/** A commune serves its own services (seed 001: the residence attestations): a unit of its own. */
/** The unit of fishing permits (a demo of a unit with one service). */
const ENV_UNIT = (name: string, address: string[]) => ({ id: 'ENV', name, address, domains: ['faune'] });

const commune = (id: string, name: string, address: string[]) => ({ id, name, address, domains: ['habitants'] });

/** The residence attestation's form (seed 001): for oneself, a spouse or registered partner, a minor child living with one. */
const ATTESTATION_FORM = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'for'],
  properties: {
    kind: { enum: ['domicile', 'etablissement', 'sejour'] },
    for: { enum: ['self', 'spouse-or-partner', 'minor-child'] },
    personName: { type: 'string', minLength: 1, maxLength: 200 },
    copies: { type: 'integer', minimum: 1, maximum: 5, default: 1 },
  },
};
const FISHING_FORM = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['period'],
  properties: { period: { enum: ['day', 'week', 'year'] }, waters: { type: 'string', maxLength: 200 } },
};
const CAMP_FORM = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['childName', 'childBirthDate', 'week'],
  properties: {
    childName: { type: 'string', minLength: 1, maxLength: 200 },
    childBirthDate: { type: 'string', format: 'date' },
    week: { type: 'integer', minimum: 27, maximum: 33 },
  },
};

/**
 * The demo catalogue (seed 003: "remplir sa déclaration d'impôts, demander un extrait officiel,
 * obtenir un permis", "la demande de permis de pêche ou l'inscription de son enfant au camp de
 * sport estival"; seed 001: the communes' residence attestations). Fees are demo figures.
 */
function demoServices(communeId: string) {
  const s = (id: string, unitId: string, domain: string, fr: string, de: string, rest: Partial<ReturnType<typeof base>> = {}) => ({
    ...base(id, unitId, domain, fr, de),
    ...rest,
  });
  function base(id: string, unitId: string, domain: string, fr: string, de: string) {
    return {
      id,
      unitId,
      domain,
      titleFr: fr,
      titleDe: de,
      access: 'free',
      delegable: true,
      adultsOnly: false,
      feeCents: null as number | null,
      sensitive: false,
      formSchema: null as object | null,
    };
  }
  return [
    s('extrait-etat-civil', 'SPOP', 'population', "Extrait officiel du registre de l'état civil", 'Amtlicher Auszug aus dem Zivilstandsregister', {
      access: 'on-request',
      feeCents: 3000,
    }),
    s('permis-de-peche', 'ENV', 'faune', 'Permis de pêche', 'Fischereipatent', { feeCents: 4500, formSchema: FISHING_FORM }),
    s('camp-de-sport', 'SPOP', 'population', "Inscription d'un enfant au camp de sport estival", 'Anmeldung eines Kindes ins Sommersportlager', {
      formSchema: CAMP_FORM,
    }),
    s(
      'attestation-de-residence',
      communeId,
      'habitants',
      'Attestation de domicile, d’établissement ou de séjour',
      'Wohnsitz-, Niederlassungs- oder Aufenthaltsbestätigung',
      {
        access: 'on-request',
        feeCents: 2000,
        formSchema: ATTESTATION_FORM,
      },
    ),
    s('declaration-impots', 'SCC', 'impots', "Déclaration d'impôt", 'Steuererklärung', { adultsOnly: true }),
    // The walk-through's services on request at SPOP (README): consulting the archives, the library's reading room.
    s('archives', 'SPOP', 'population', 'Consultation des archives de la population', 'Einsicht in die Archive der Einwohnerkontrolle', {
      access: 'on-request',
    }),
    s('library', 'SPOP', 'population', 'Salle de lecture de la bibliothèque', 'Lesesaal der Bibliothek', { access: 'on-request' }),
  ];
}

/** The canton's demo data: units, the terms version applicants sign, and the fakes' fixtures (paths from the repository's root). */
export function demoDataOf(canton: string) {
  if (canton === 'NE')
    return {
      units: [
        ...NE_DEMO_UNITS,
        ENV_UNIT('Service de la faune, des forêts et de la nature', ['Service de la faune, des forêts et de la nature', 'Rue de Tivoli 5', '2000 Neuchâtel']),
        commune('COMMUNE-NEUCHATEL', 'Commune de Neuchâtel', ['Contrôle des habitants', 'Faubourg du Lac 3', '2000 Neuchâtel']),
      ],
      services: demoServices('COMMUNE-NEUCHATEL'),
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
    units: [
      ...DEMO_UNITS,
      ENV_UNIT("Office de l'environnement", ["Office de l'environnement", "Chemin du Bel'Oiseau 12", '2882 Saint-Ursanne']),
      commune('COMMUNE-DELEMONT', 'Commune de Delémont', ['Contrôle des habitants', 'Route de Bâle 10', '2800 Delémont']),
    ],
    services: demoServices('COMMUNE-DELEMONT'),
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
    const creditor = demoCreditor(u);
    // Its inbox's notices (a task opened, a reminder) go to a demo address the mail catcher shows; a unit's own address set since is kept.
    const email = `${u.id.toLowerCase()}@units.example`;
    await db.unit.upsert({ where: { id: u.id }, create: { ...u, creditor, email }, update: { name: u.name, address: u.address, creditor } });
  }
}

/**
 * Where a demo unit's fees are paid: SIX's example QR-IBAN (a test account, never a real one)
 * and the unit's own address, structured as the QR-bill wants it (street, number, postcode, town).
 */
export const DEMO_QR_IBAN = 'CH4431999123000889012';
function demoCreditor(u: { name: string; address: string[] }) {
  const street = u.address.at(-2) ?? '';
  const m = /^(.*\S)\s+(\d+\w?)$/.exec(street);
  const [postalCode, ...town] = (u.address.at(-1) ?? '').split(' ');
  return {
    account: DEMO_QR_IBAN,
    name: u.name,
    street: m ? m[1]! : street,
    ...(m ? { buildingNumber: m[2]! } : {}),
    postalCode: postalCode ?? '',
    town: town.join(' '),
    country: 'CH',
  };
}

/** The demo catalogue; a service the Chancellery or its unit changed since is left as it is. */
export async function seedDemoServices(db: Db, canton = 'JU'): Promise<void> {
  for (const svc of demoDataOf(canton).services) {
    const { formSchema, ...rest } = svc;
    await db.service.upsert({
      where: { id: svc.id },
      create: { ...rest, ...(formSchema ? { formSchema } : {}), updatedAt: new Date(), updatedBy: 'demo-data' },
      update: {},
    });
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
