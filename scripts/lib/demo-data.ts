// Demo data of the embedded default: the administrative units of the walk-through.
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
