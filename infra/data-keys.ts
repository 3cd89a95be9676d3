// Crypto-shredding (Art. 19): a record's personal data in the workflow histories is encrypted
// under a data key of its own, inside the cluster encryption. Destroying the record deletes
// the key: every history payload that held its data becomes unreadable, wherever it is kept.
//
// A payload holds a record's personal data when its JSON carries `$dataKey: "<kind>:<id>"`
// (see `personalData()`); the codec finds it there, so workflow code needs no change.
import { randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Db } from './db';
import { seal, unseal } from './aead';
import { isUniqueViolation } from '../records/unique';

import { DATA_KEY_FIELD } from '../workflows/personal-data';

export { dataKeyId, personalData } from '../workflows/personal-data';
export const DATA_KEY_ENCODING = 'binary/data-key-encrypted';
export const DATA_KEYS_METADATA = 'data-key-ids';
const JSON_ENCODING = 'json/plain';
const DATA_KEY_ID = /^[a-z][a-z-]*:[A-Za-z0-9._-]{1,120}$/;

export class KeyDestroyedError extends Error {
  constructor(
    readonly dataKeyId: string,
    readonly destroyedAt: Date | null,
  ) {
    super(
      destroyedAt
        ? `key destroyed: the personal data of ${dataKeyId} was destroyed on ${destroyedAt.toISOString().slice(0, 10)} at the end of its retention (Art. 19)`
        : `key destroyed: no data key ${dataKeyId} exists (destroyed, or never made here)`,
    );
    this.name = 'KeyDestroyedError';
  }
}

export interface DataKeyStore {
  /** The key to encrypt with, made on first use. A destroyed key is never made again. */
  forEncrypt(id: string): Promise<Buffer>;
  /** The key to decrypt with; KeyDestroyedError once destroyed. */
  forDecrypt(id: string): Promise<Buffer>;
  /** Deletes the key for good (idempotent); true when it existed until now. */
  destroy(id: string): Promise<boolean>;
}

/** The data-key ids a JSON value carries (depth-limited: payloads are small objects). */
export function dataKeyIdsIn(value: unknown, depth = 0, found = new Set<string>()): Set<string> {
  if (depth > 12 || value === null || typeof value !== 'object') return found;
  if (Array.isArray(value)) {
    for (const v of value) dataKeyIdsIn(v, depth + 1, found);
    return found;
  }
  for (const [k, v] of Object.entries(value)) {
    if (k === DATA_KEY_FIELD && typeof v === 'string' && DATA_KEY_ID.test(v)) found.add(v);
    else dataKeyIdsIn(v, depth + 1, found);
  }
  return found;
}

const text = (s: string) => Buffer.from(s, 'utf8');
const str = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export class DataKeyCodec implements PayloadCodec {
  constructor(private readonly store: DataKeyStore | null) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        if (str(payload.metadata?.[METADATA_ENCODING_KEY]) !== JSON_ENCODING || !payload.data?.length) return payload;
        let ids: string[];
        try {
          ids = [...dataKeyIdsIn(JSON.parse(Buffer.from(payload.data).toString('utf8')))].sort();
        } catch {
          return payload;
        }
        if (ids.length === 0) return payload;
        if (!this.store) throw new Error('a payload carries personal data ($dataKey) but this data converter has no data-key store');
        // One layer per record: destroying any of them makes the payload unreadable.
        let data: Buffer = Buffer.from(temporal.api.common.v1.Payload.encode(payload).finish());
        for (const id of ids) data = seal(await this.store.forEncrypt(id), data);
        return { metadata: { [METADATA_ENCODING_KEY]: text(DATA_KEY_ENCODING), [DATA_KEYS_METADATA]: text(ids.join(',')) }, data };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        if (str(payload.metadata?.[METADATA_ENCODING_KEY]) !== DATA_KEY_ENCODING) return payload;
        const ids = (str(payload.metadata?.[DATA_KEYS_METADATA]) ?? '').split(',').filter(Boolean);
        if (!this.store) throw new KeyDestroyedError(ids[0] ?? '?', null);
        let data: Buffer = Buffer.from(payload.data ?? new Uint8Array());
        for (const id of [...ids].reverse()) data = unseal(await this.store.forDecrypt(id), data);
        return temporal.api.common.v1.Payload.decode(data);
      }),
    );
  }
}

/**
 * Data keys in PostgreSQL, each wrapped (AES-256-GCM) under the active cluster key. A short
 * cache spares the database on every workflow activation; `destroy` empties it here, and
 * other processes forget the key within `cacheMs`.
 */
export function createDbDataKeyStore(
  db: Db,
  wrapKeys: ReadonlyMap<string, Buffer>,
  activeWrapKeyId: string,
  opts: { cacheMs?: number; makeKey?: (id: string) => Buffer } = {},
): DataKeyStore {
  const cacheMs = opts.cacheMs ?? 10_000;
  // Random in production; tests that keep histories as replay fixtures derive them instead.
  const makeKey = opts.makeKey ?? (() => randomBytes(32));
  const cache = new Map<string, { key: Buffer; at: number }>();
  const cached = (id: string) => {
    const c = cache.get(id);
    return c && Date.now() - c.at < cacheMs ? c.key : undefined;
  };
  const unwrap = (row: { id: string; wrapped: Uint8Array | null; wrapKeyId: string | null; destroyedAt: Date | null }) => {
    if (!row.wrapped || row.destroyedAt) throw new KeyDestroyedError(row.id, row.destroyedAt);
    const wrapKey = wrapKeys.get(row.wrapKeyId ?? '');
    if (!wrapKey) throw new Error(`data key ${row.id} is wrapped under key "${row.wrapKeyId}", which is not in this keyring`);
    const key = unseal(wrapKey, row.wrapped);
    cache.set(row.id, { key, at: Date.now() });
    return key;
  };
  return {
    async forEncrypt(id) {
      const hit = cached(id);
      if (hit) return hit;
      const existing = await db.dataKey.findUnique({ where: { id } });
      if (existing) return unwrap(existing);
      const key = makeKey(id);
      // Two processes making the same key at once: the first insert wins, both use it. A plain
      // insert (one statement; createMany would wrap it in a transaction of three).
      try {
        return unwrap(
          await db.dataKey.create({ data: { id, wrapped: new Uint8Array(seal(wrapKeys.get(activeWrapKeyId)!, key)), wrapKeyId: activeWrapKeyId } }),
        );
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      return unwrap(await db.dataKey.findUniqueOrThrow({ where: { id } }));
    },
    async forDecrypt(id) {
      const hit = cached(id);
      if (hit) return hit;
      const row = await db.dataKey.findUnique({ where: { id } });
      if (!row) throw new KeyDestroyedError(id, null);
      return unwrap(row);
    },
    async destroy(id) {
      cache.delete(id);
      // The row stays as a tombstone (no key material): a destroyed key is never made again.
      const { count } = await db.dataKey.updateMany({ where: { id, destroyedAt: null }, data: { wrapped: null, wrapKeyId: null, destroyedAt: new Date() } });
      if (count === 0) await db.dataKey.createMany({ data: [{ id, destroyedAt: new Date() }], skipDuplicates: true });
      return count > 0;
    },
  };
}

/**
 * Wraps again under the active cluster key every data key wrapped under another one, so a
 * retired cluster key is no longer needed to open them (README "Rotating the payload key").
 * In batches; each row is updated only if it is still wrapped under the key it was read with,
 * so a run beside a destruction or another run changes nothing twice. Idempotent.
 */
export async function rewrapDataKeys(
  db: Db,
  wrapKeys: ReadonlyMap<string, Buffer>,
  activeWrapKeyId: string,
  opts: { batchSize?: number } = {},
): Promise<{ rewrapped: number; unopenable: Record<string, number> }> {
  const active = wrapKeys.get(activeWrapKeyId);
  if (!active) throw new Error(`active payload key "${activeWrapKeyId}" is not in the keyring`);
  const batchSize = opts.batchSize ?? 500;
  let rewrapped = 0;
  const unopenable: Record<string, number> = {};
  let afterId = '';
  for (;;) {
    const rows = await db.dataKey.findMany({
      where: {
        id: { gt: afterId },
        wrapKeyId: { not: activeWrapKeyId },
        destroyedAt: null,
        wrapped: { not: null },
      },
      orderBy: { id: 'asc' },
      take: batchSize,
      select: { id: true, wrapped: true, wrapKeyId: true },
    });
    if (rows.length === 0) return { rewrapped, unopenable };
    afterId = rows[rows.length - 1]!.id;
    for (const row of rows) {
      const old = wrapKeys.get(row.wrapKeyId ?? '');
      if (!old) {
        // Under a key already dropped from this keyring: these records' data cannot be opened any more.
        unopenable[row.wrapKeyId ?? '?'] = (unopenable[row.wrapKeyId ?? '?'] ?? 0) + 1;
        continue;
      }
      const wrapped = new Uint8Array(seal(active, unseal(old, row.wrapped!)));
      const { count } = await db.dataKey.updateMany({
        where: { id: row.id, wrapKeyId: row.wrapKeyId, destroyedAt: null },
        data: { wrapped, wrapKeyId: activeWrapKeyId },
      });
      rewrapped += count;
    }
  }
}

/** How many live data keys each cluster key wraps. */
export async function dataKeysByWrapKey(db: Db): Promise<Record<string, number>> {
  const groups = await db.dataKey.groupBy({ by: ['wrapKeyId'], where: { destroyedAt: null, wrapped: { not: null } }, _count: { _all: true } });
  return Object.fromEntries(groups.map((g) => [g.wrapKeyId ?? '?', g._count._all]));
}
