// The fakes' fixture files: JSON checked by a zod schema, each entry's key unique. Errors name
// the entry and field at fault by index, never by an AVS number, a UID or a name.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';

export class FixtureError extends Error {
  override name = 'FixtureError';
}

/** `people[2].birthDate` from a zod issue path. */
function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}${acc ? '.' : ''}${String(key)}`), '') || '(root)';
}

/**
 * Reads `fixturePath`, checks it with `schema`, and checks that the entries of `list` differ
 * in `unique.field` once normalised (`unique.what` names it in the message). Throws a
 * FixtureError otherwise.
 */
export function loadFixtureFile<E, L extends string>(
  label: string,
  fixturePath: string,
  schema: z.ZodType<{ [k in L]: E[] }>,
  list: L,
  unique: { field: string; what: string; key: (entry: E) => string },
): E[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(fixturePath, 'utf8'));
  } catch (err) {
    throw new FixtureError(`${label} fixture ${fixturePath}: cannot read it as JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${pathText(i.path)}: ${i.message}`);
    throw new FixtureError(`${label} fixture ${fixturePath} is invalid:\n${lines.join('\n')}`);
  }
  const entries = parsed.data[list];
  const seen = new Map<string, number>();
  entries.forEach((e, index) => {
    const k = unique.key(e);
    const first = seen.get(k);
    if (first !== undefined) {
      throw new FixtureError(`${label} fixture ${fixturePath} is invalid:\n  ${list}[${index}].${unique.field}: same ${unique.what} as ${list}[${first}]`);
    }
    seen.set(k, index);
  });
  return entries;
}
