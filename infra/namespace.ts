// Registers the custom search attributes on a namespace (idempotent): the dev server gets
// them as flags; a real server or the time-skipping test server gets them here.
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const INDEXED_TYPES = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
} as const;
const indexedType = (type: string) => {
  const t = INDEXED_TYPES[type as keyof typeof INDEXED_TYPES];
  if (t === undefined) throw new Error(`search attribute type ${type} is not mapped`);
  return t;
};

const UNIMPLEMENTED = 12;
const ALREADY_EXISTS = 6;
const grpcCode = (err: unknown) => (err as { code?: number }).code;

export async function ensureSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace: string): Promise<string[]> {
  let known = new Set<string>();
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  } catch (err) {
    // The time-skipping test server can add search attributes but not list them.
    if (grpcCode(err) !== UNIMPLEMENTED) throw err;
  }
  const missing = ALL_SEARCH_ATTRIBUTES.filter((sa) => !known.has(sa.name));
  if (missing.length > 0) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((sa) => [sa.name, indexedType(sa.type)])),
      });
    } catch (err) {
      if (grpcCode(err) !== ALREADY_EXISTS) throw err;
    }
  }
  return missing.map((sa) => sa.name);
}
