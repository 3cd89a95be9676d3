// Marks a value as a record's personal data: the payload codec encrypts any payload that
// carries `$dataKey` under that record's own data key (infra/data-keys.ts), which the
// record's destruction deletes (crypto-shredding, Art. 19). No imports: workflows, activities
// and the API all use it.

export const DATA_KEY_FIELD = '$dataKey';

/** The kinds of record whose personal data has a data key of its own. */
export type DataKeyKind =
  'access-request' | 'onboarding-application' | 'contract' | 'decision' | 'proxy' | 'representation-request' | 'entity-application' | 'transaction';

export const dataKeyId = (kind: DataKeyKind, id: string) => `${kind}:${id}`;

export function personalData<T extends object>(kind: DataKeyKind, id: string, value: T): T & { $dataKey: string } {
  return { ...value, $dataKey: dataKeyId(kind, id) };
}
