// Replay fixtures: histories of real runs, kept so that a change to workflow code that
// would break running workflows fails the replay test (use patched() for such changes).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'histories');

export function fixtureKeyring(): { keys: Map<string, Buffer>; activeKeyId: string } {
  const { keyId, key } = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'payload-key.json'), 'utf8')) as { keyId: string; key: string };
  return { keys: new Map([[keyId, Buffer.from(key, 'base64')]]), activeKeyId: keyId };
}

/** With RECORD_HISTORIES=1, keeps this run's history as a fixture (commit it deliberately). */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  // Protobuf binary: exactly what the server sent, read back by History.decode.
  writeFileSync(join(FIXTURES, `${name}.binpb`), temporal.api.history.v1.History.encode(history).finish());
}

export function readHistory(file: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.decode(readFileSync(join(FIXTURES, file)));
}
