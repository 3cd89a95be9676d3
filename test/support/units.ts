// The walk-through's units (SPOP, SCC, ...) and the services the tests ask for, in a test
// database: an access request names a unit and a service that exist (an unknown one is 422).
import type { Db } from '../../infra/db';
import { createDb } from '../../infra/db';
import { seedDemoUnits } from '../../scripts/lib/demo-data';

/** The services older tests name at SPOP: on request, delegable, open to all ages. */
const TEST_SERVICES = ['library', 'building-permits', 'archives', 'x', 'attestation'];

export async function seedUnits(databaseUrl: string): Promise<void> {
  const db = createDb(databaseUrl);
  try {
    await seedDemoUnits(db, 'JU');
    for (const id of TEST_SERVICES) await upsertTestService(db, { id, unitId: 'SPOP' });
    // NE 4.5: the tests' very sensitive service (its transactions need a single-use code).
    await upsertTestService(db, { id: 'vote-electronique', unitId: 'SPOP', sensitive: true });
  } finally {
    await db.$disconnect();
  }
}

export async function upsertTestService(
  db: Db,
  s: {
    id: string;
    unitId: string;
    access?: 'free' | 'on-request';
    delegable?: boolean;
    adultsOnly?: boolean;
    feeCents?: number | null;
    sensitive?: boolean;
    formSchema?: object;
  },
): Promise<string> {
  const data = {
    unitId: s.unitId,
    domain: 'population',
    titleFr: `Prestation ${s.id}`,
    titleDe: `Leistung ${s.id}`,
    access: s.access ?? 'on-request',
    delegable: s.delegable ?? true,
    adultsOnly: s.adultsOnly ?? false,
    feeCents: s.feeCents ?? null,
    sensitive: s.sensitive ?? false,
    ...(s.formSchema ? { formSchema: s.formSchema } : {}),
    updatedAt: new Date(),
    updatedBy: 'test',
  };
  await db.service.upsert({ where: { id: s.id }, create: { id: s.id, ...data }, update: data });
  return s.id;
}
