// npm start's seal for issued documents: a self-signed demo key (never for production), made
// once under the data directory and reused by the next start, so that documents sealed before
// a restart still verify with the certificate the API serves.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDemoSealKey, sealKeyToPem } from '../../infra/seal';

export async function ensureDemoSeal(
  dataDir: string,
  canton: 'JU' | 'NE',
  organisation: string,
): Promise<{ SEAL_KEY_FILE: string; SEAL_CERTIFICATE_FILE: string; subject: string }> {
  const dir = join(dataDir, 'secrets', `seal-${canton}`);
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'certificate.pem');
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pem = await sealKeyToPem(await makeDemoSealKey({ canton, organisation }));
    writeFileSync(keyFile, pem.keyPem, { mode: 0o600 });
    writeFileSync(certFile, pem.certificatePem);
  }
  const cert = readFileSync(certFile, 'utf8');
  return { SEAL_KEY_FILE: keyFile, SEAL_CERTIFICATE_FILE: certFile, subject: cert.length ? organisation : '' };
}
