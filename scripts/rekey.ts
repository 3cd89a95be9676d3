// `npm run rekey -- [--query 'WorkflowType = "contract"'] [--report-only] [--json]`
// After a payload key rotation (README "Rotating the payload key"), with the worker's own
// environment (DATABASE_URL, TEMPORAL_*, PAYLOAD_KEYS with the new key active and the old one
// still in the ring): wraps the data keys and seals the webhook secrets again under the
// active key, tells every long-lived process holding payloads under another key to continue
// as new, and prints, for each retired key, what still needs it and from when it can be
// dropped. Idempotent: run it again to see the processes it told continue.
import { parseArgs } from 'node:util';
import { PayloadKeyGateway } from '../app/gateways/payload-keys';
import { rotatePayloadKeys, type KeyRotationReport } from '../app/key-rotation';
import { loadConfigOrExit } from '../infra/config';
import { createDb } from '../infra/db';
import { createDbDataKeyStore } from '../infra/data-keys';
import { connectClient } from '../infra/temporal';

export function describeReport(r: KeyRotationReport): string {
  const lines = [
    `active payload key: ${r.activeKeyId}`,
    `data keys wrapped again under it: ${r.dataKeysRewrapped}; webhook secrets sealed again: ${r.unitSecretsResealed}; runs scanned: ${r.runsScanned}`,
  ];
  if (r.retired.length === 0) lines.push('no other key in the ring or in the histories');
  for (const k of r.retired) {
    lines.push(`key ${k.keyId}:`);
    lines.push(`  data keys wrapped under it: ${k.dataKeys}; webhook secrets sealed under it: ${k.unitSecrets}`);
    const told = k.openRuns.filter((o) => o.toldToContinue);
    const ending = k.openRuns.filter((o) => !o.toldToContinue);
    if (told.length) lines.push(`  open runs told to continue as new: ${told.length} (run again to see them gone)`);
    for (const o of ending) lines.push(`  open run ending by itself: ${o.type} ${o.workflowId} (run ${o.runId})`);
    lines.push(
      `  closed runs holding it: ${k.closedRuns}${k.lastClosedRunDeletedOn ? `, the last deleted by the namespace's retention on ${k.lastClosedRunDeletedOn}` : ''}`,
    );
    lines.push(k.droppableFrom ? `  => may be dropped from PAYLOAD_KEYS from ${k.droppableFrom}` : '  => still needed: keep it in PAYLOAD_KEYS');
  }
  return lines.join('\n');
}

async function main() {
  const { values } = parseArgs({ options: { query: { type: 'string' }, 'report-only': { type: 'boolean' }, json: { type: 'boolean' } } });
  const config = loadConfigOrExit();
  const db = createDb(config.DATABASE_URL);
  const dataKeys = createDbDataKeyStore(db, config.PAYLOAD_KEYS, config.PAYLOAD_ACTIVE_KEY_ID);
  const { connection, client } = await connectClient(config, dataKeys);
  try {
    const report = await rotatePayloadKeys(
      {
        db,
        histories: new PayloadKeyGateway({ client, taskQueue: config.TEMPORAL_TASK_QUEUE }, config.TEMPORAL_NAMESPACE),
        keys: config.PAYLOAD_KEYS,
        activeKeyId: config.PAYLOAD_ACTIVE_KEY_ID,
      },
      { query: values.query, rekey: !values['report-only'] },
    );
    process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : describeReport(report)}\n`);
  } finally {
    await connection.close();
    await db.$disconnect();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`rekey failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
