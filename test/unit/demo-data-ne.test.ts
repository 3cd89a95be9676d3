// `CANTON=NE npm start` shows Neuchâtel's counter: its demo people, entities, units, terms and
// applications name no Jura place, postcode or authority; the Jura default is what it was.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCommercialRegisterFixture } from '../../fakes/commercial-register/server';
import { demoBetaIdClaims, DEMO_IDENTITIES } from '../../fakes/eid-wallet/demo-issuer';
import { loadFixture } from '../../fakes/registers/server';
import { demoDataOf } from '../../scripts/lib/demo-data';
import { juraNamesIn } from '../support/canton-names';

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const NE_APPLICATIONS = ['scripts/demo/application-adult.ne.json', 'scripts/demo/application-minor.ne.json', 'scripts/demo/entity-application.ne.json'];
// Communes of the canton of Neuchâtel (and the localities of the demo addresses).
const NE_COMMUNES = ['Neuchâtel', 'La Chaux-de-Fonds', 'Le Locle', 'Val-de-Ruz', 'Val-de-Travers', 'Milvignes', 'Boudry', 'Cernier'];

describe("Neuchâtel's demo data", () => {
  const ne = demoDataOf('NE');

  it('names nothing of Jura, in any file or record the demo shows', () => {
    const texts: Array<[string, string]> = [
      [ne.people, read(ne.people)],
      [ne.entities, read(ne.entities)],
      [`scripts/demo/${ne.terms.file}`, read(`scripts/demo/${ne.terms.file}`)],
      ['units', JSON.stringify(ne.units)],
      ['terms title', ne.terms.title],
      ['e-ID claims', JSON.stringify(demoBetaIdClaims(DEMO_IDENTITIES[0]!, new Date('2026-12-02T12:00:00Z'), 'X', ne.eidOrigin))],
      ...NE_APPLICATIONS.map((f): [string, string] => [f, read(f)]),
    ];
    const found = texts.map(([where, text]) => ({ where, names: juraNamesIn(text) })).filter((f) => f.names.length > 0);
    expect(found).toEqual([]);
  });

  it('is valid fixture data, in Neuchâtel communes and postcodes, for the same demo people', () => {
    const people = loadFixture(join(root, ne.people));
    const juPeople = loadFixture(join(root, demoDataOf('JU').people));
    // The same people (their e-IDs and certificates are canton-free): only their communes differ.
    expect(people.map((p) => p.avsNumber)).toEqual(juPeople.map((p) => p.avsNumber));
    expect(people.map((p) => p.domiciledInCanton)).toEqual(juPeople.map((p) => p.domiciledInCanton));
    for (const p of people) if (p.commune) expect(NE_COMMUNES).toContain(p.commune);

    const entities = loadCommercialRegisterFixture(join(root, ne.entities));
    expect(entities.map((e) => e.canton)).toEqual(entities.map(() => 'NE'));
    for (const e of entities) {
      expect(NE_COMMUNES).toContain(e.legalSeat);
      if (e.address) expect(e.address.swissZipCode).toMatch(/^2[0-4]\d\d$/);
    }
    for (const u of ne.units) expect(u.address.at(-1)).toMatch(/^2[0-4]\d\d (Neuchâtel|La Chaux-de-Fonds|Le Locle)$/);
  });

  it('has applications that match the register: the commune the person lives in, the NE terms version', () => {
    const people = loadFixture(join(root, ne.people));
    const adult = JSON.parse(read(NE_APPLICATIONS[0]!)) as { commune: string; contractSignature: { termsVersion: string } };
    const minor = JSON.parse(read(NE_APPLICATIONS[1]!)) as { commune: string };
    expect(adult.commune).toBe(people.find((p) => p.avsNumber === '756.1234.5678.04')!.commune);
    expect(minor.commune).toBe(people.find((p) => p.avsNumber === '756.2345.6789.15')!.commune);
    expect(adult.contractSignature.termsVersion).toBe(ne.terms.version);
  });
});

it('keeps the Jura demo data the default', () => {
  expect(demoDataOf('JU')).toMatchObject({ people: 'fakes/registers/demo-people.json', entities: 'fakes/commercial-register/demo-entities.json' });
  expect(demoDataOf('JU').terms.version).toBe('CG-2013-1');
  expect(juraNamesIn(JSON.stringify(demoDataOf('JU').units))).toContain('Delémont');
});
