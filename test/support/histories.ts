// Replay fixtures: histories of real runs, kept so that a change to workflow code that
// would break running workflows fails the replay test (use patched() for such changes).
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { DataKeyStore } from '../../infra/data-keys';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'histories');

/** Data keys of the recorded runs, derived from the fixture key so the replay can open them. */
export const fixtureDataKey = (keys: Map<string, Buffer>) => (id: string) =>
  createHmac('sha256', [...keys.values()][0]!)
    .update(`data-key:${id}`)
    .digest();

/** The replay's data-key store: the fixture-derived keys (nothing is ever destroyed in a replay). */
export function fixtureDataKeyStore(keys: Map<string, Buffer>): DataKeyStore {
  const make = fixtureDataKey(keys);
  return { forEncrypt: async (id) => make(id), forDecrypt: async (id) => make(id), destroy: async () => false };
}

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
