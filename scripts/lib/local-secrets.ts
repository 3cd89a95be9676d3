// Secrets of the embedded default, made once and kept in the data directory (never in git):
// the payload keyring and the local issuer's key pair.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A random secret of the embedded default (hex), made once and kept in `file`. */
export function localSecret(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

export function localPayloadKeys(file: string): { PAYLOAD_KEYS: string; PAYLOAD_ACTIVE_KEY_ID: string } {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const id = `local-${new Date().toISOString().slice(0, 10)}`;
    writeFileSync(file, JSON.stringify({ PAYLOAD_KEYS: `${id}:${randomBytes(32).toString('base64')}`, PAYLOAD_ACTIVE_KEY_ID: id }), { mode: 0o600 });
  }
  return JSON.parse(readFileSync(file, 'utf8')) as { PAYLOAD_KEYS: string; PAYLOAD_ACTIVE_KEY_ID: string };
}
