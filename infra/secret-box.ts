// Secrets the engine keeps in its own database (a unit's webhook key) are sealed under the
// payload keyring: AES-256-GCM under a key derived for the purpose (HKDF), the key id in the
// stored text so the ring rotates like the payloads'. A dump of the database, or a reader of
// the `unit` table, learns no secret. A value without the prefix was written in clear (by SQL,
// or before this) and is sealed at the worker's start (`records/units.ts` sealUnitSecrets).
import { hkdfSync } from 'node:crypto';
import { seal, unseal } from './aead';

const PREFIX = 'sealed:v1:';

export interface AtRestKeys {
  keys: ReadonlyMap<string, Buffer>;
  activeKeyId: string;
}

export class SealedSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedSecretError';
  }
}

const derive = (payloadKey: Buffer, purpose: string) => Buffer.from(hkdfSync('sha256', payloadKey, Buffer.alloc(0), `guichet/at-rest/${purpose}/v1`, 32));

export const isSealed = (stored: string): boolean => stored.startsWith(PREFIX);

/** The payload key a sealed value is under (null for a value in clear). */
export function sealedKeyId(stored: string): string | null {
  if (!isSealed(stored)) return null;
  const rest = stored.slice(PREFIX.length);
  return rest.slice(0, rest.lastIndexOf(':'));
}

export function sealAtRest(k: AtRestKeys, purpose: string, plain: string): string {
  const key = k.keys.get(k.activeKeyId);
  if (!key) throw new SealedSecretError(`active payload key "${k.activeKeyId}" is not in the keyring`);
  return `${PREFIX}${k.activeKeyId}:${seal(derive(key, purpose), Buffer.from(plain, 'utf8')).toString('base64url')}`;
}

/** The secret itself; a value stored in clear is returned as it is (sealed at the next worker start). */
export function openAtRest(k: AtRestKeys | undefined, purpose: string, stored: string): string {
  if (!isSealed(stored)) return stored;
  const keyId = sealedKeyId(stored)!; // base64url has no ':'; a key id may
  const at = PREFIX.length + keyId.length;
  const key = k?.keys.get(keyId);
  if (!key) throw new SealedSecretError(`the ${purpose} is sealed under payload key "${keyId}", which this process does not have`);
  try {
    return unseal(derive(key, purpose), Buffer.from(stored.slice(at + 1), 'base64url')).toString('utf8');
  } catch {
    throw new SealedSecretError(`the ${purpose} sealed under "${keyId}" cannot be opened (altered, or another purpose's)`);
  }
}
