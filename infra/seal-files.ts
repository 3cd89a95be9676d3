// The seal's PEM files (SEAL_KEY_FILE, SEAL_CERTIFICATE_FILE): the worker seals with the key,
// the API serves the certificate. A missing or broken file stops the process at start, naming it.
import { readFileSync } from 'node:fs';
import { loadSealKey, type SealKey } from './seal';

export function sealCertificateFrom(config: { SEAL_CERTIFICATE_FILE?: string }): string | null {
  return config.SEAL_CERTIFICATE_FILE ? readFileSync(config.SEAL_CERTIFICATE_FILE, 'utf8') : null;
}

export async function sealKeyFrom(config: { SEAL_KEY_FILE?: string; SEAL_CERTIFICATE_FILE?: string }): Promise<SealKey | undefined> {
  if (!config.SEAL_KEY_FILE || !config.SEAL_CERTIFICATE_FILE) return undefined;
  try {
    return await loadSealKey({ keyPem: readFileSync(config.SEAL_KEY_FILE, 'utf8'), certificatePem: readFileSync(config.SEAL_CERTIFICATE_FILE, 'utf8') });
  } catch (err) {
    throw new Error(`SEAL_KEY_FILE / SEAL_CERTIFICATE_FILE: ${(err as Error).message}`);
  }
}
