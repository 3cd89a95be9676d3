// The walk-through's units (SPOP, SCC, ...) in a test database: an access request names a unit
// that exists (an unknown one is 422).
import { createDb } from '../../infra/db';
import { seedDemoUnits } from '../../scripts/lib/demo-data';

export async function seedUnits(databaseUrl: string): Promise<void> {
  const db = createDb(databaseUrl);
  try {
    await seedDemoUnits(db, 'JU');
  } finally {
    await db.$disconnect();
  }
}
