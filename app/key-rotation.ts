// Rotating the payload key (README "Rotating the payload key"). Once every process runs with
// the new key active and the old one still in the ring, this brings everything the engine
// keeps under the old key over to the new one, and says when the old key can be dropped:
// - the data keys (crypto-shredding) are wrapped again under the active key;
// - the units' webhook secrets are sealed again under it;
// - each long-lived process whose history holds a payload under another key is told to
//   continue as new (workflows/rekey.ts): its new run is encoded under the active key;
// - closed runs cannot be rewritten: Temporal deletes them at the end of the namespace's
//   retention, and that day is the day the key can go.
// Run it again to see the processes it told continue: it is idempotent, and reads only the
// payloads' metadata (nothing decoded, no personal data in its report).
import type { Db } from '../infra/db';
import { dataKeysByWrapKey, rewrapDataKeys } from '../infra/data-keys';
import { sealUnitSecrets, unitSecretsByKey } from '../records/units';
import { REKEYABLE_TYPES } from '../workflows/rekey';
import type { PayloadKeyGateway, RunSeen } from './gateways/payload-keys';

export interface KeyRotationDeps {
  db: Db;
  histories: PayloadKeyGateway;
  keys: ReadonlyMap<string, Buffer>;
  activeKeyId: string;
  now?: () => Date;
}

export interface RetiredKeyReport {
  keyId: string;
  /** Data keys still wrapped under it (none once rewrapped, unless it is no longer in the ring). */
  dataKeys: number;
  unitSecrets: number;
  /** Open runs holding payloads under it: told to continue as new, or ending by themselves. */
  openRuns: { workflowId: string; runId: string; type: string; toldToContinue: boolean }[];
  closedRuns: number;
  /** When the namespace's retention deletes the last closed run that holds it (null: none does). */
  lastClosedRunDeletedOn: string | null;
  /** Nothing needs it now; or the day nothing will, if nothing opens before; or null while open runs hold it. */
  droppableFrom: string | null;
}

export interface KeyRotationReport {
  activeKeyId: string;
  dataKeysRewrapped: number;
  unitSecretsResealed: number;
  runsScanned: number;
  /** Every key other than the active one, in the ring or found in a history. */
  retired: RetiredKeyReport[];
}

/** Runs `limit` at a time. */
async function eachLimited<T>(items: AsyncIterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  for await (const item of items) {
    const p = fn(item).finally(() => running.delete(p));
    running.add(p);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
}

export async function rotatePayloadKeys(
  deps: KeyRotationDeps,
  opts: {
    /** A visibility query that limits the runs scanned (all of the namespace's by default). */
    query?: string;
    /** Tell the long-lived processes to continue as new (default); false only reports. */
    rekey?: boolean;
    concurrency?: number;
    /** Only these units' secrets (tests share a database). */
    unitIds?: string[];
  } = {},
): Promise<KeyRotationReport> {
  const { db, histories, keys, activeKeyId } = deps;
  const now = deps.now ?? (() => new Date());
  if (!keys.has(activeKeyId)) throw new Error(`active payload key "${activeKeyId}" is not in the keyring`);
  const rekey = opts.rekey ?? true;

  const { rewrapped } = await rewrapDataKeys(db, keys, activeKeyId);
  const resealed = await sealUnitSecrets(db, { keys, activeKeyId }, opts.unitIds ? { unitIds: opts.unitIds } : undefined);

  const byKey = new Map<string, { open: RetiredKeyReport['openRuns']; closed: number; lastClosedAt: Date | null }>();
  const entry = (keyId: string) => {
    let e = byKey.get(keyId);
    if (!e) byKey.set(keyId, (e = { open: [], closed: 0, lastClosedAt: null }));
    return e;
  };
  for (const keyId of keys.keys()) if (keyId !== activeKeyId) entry(keyId);

  let scanned = 0;
  await eachLimited(histories.runs(opts.query), opts.concurrency ?? 8, async (run: RunSeen) => {
    scanned += 1;
    const others = [...(await histories.keyIdsOf(run))].filter((k) => k !== activeKeyId);
    if (others.length === 0) return;
    // One run of a workflow id runs at a time: each is told once.
    const toldToContinue = run.running && rekey && REKEYABLE_TYPES.includes(run.type) && (await histories.rekey(run.workflowId));
    for (const keyId of others) {
      const e = entry(keyId);
      if (run.running) e.open.push({ workflowId: run.workflowId, runId: run.runId, type: run.type, toldToContinue });
      else {
        e.closed += 1;
        const at = run.closedAt ?? now();
        if (!e.lastClosedAt || at > e.lastClosedAt) e.lastClosedAt = at;
      }
    }
  });

  const retentionMs = await histories.retentionMs();
  const dataKeys = await dataKeysByWrapKey(db);
  const secrets = await unitSecretsByKey(db);
  const retired = [...byKey.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([keyId, e]): RetiredKeyReport => {
      const deletedOn = e.lastClosedAt ? new Date(e.lastClosedAt.getTime() + retentionMs) : null;
      const held = (dataKeys[keyId] ?? 0) > 0 || (secrets[keyId] ?? 0) > 0 || e.open.length > 0;
      const from = held ? null : deletedOn && deletedOn > now() ? deletedOn : now();
      return {
        keyId,
        dataKeys: dataKeys[keyId] ?? 0,
        unitSecrets: secrets[keyId] ?? 0,
        openRuns: e.open.sort((a, b) => a.workflowId.localeCompare(b.workflowId)),
        closedRuns: e.closed,
        lastClosedRunDeletedOn: deletedOn?.toISOString() ?? null,
        droppableFrom: from?.toISOString() ?? null,
      };
    });
  return { activeKeyId, dataKeysRewrapped: rewrapped, unitSecretsResealed: resealed, runsScanned: scanned, retired };
}
