// The development CA of the cluster (`npm run start:cluster`, the cluster's tests): a root and
// one certificate per identity, whose organizational unit is the role the Temporal server's
// authorizer gives it (deploy/temporal-server/authz.go). Made once into a directory and kept;
// a canton's operators use their own CA and the same subjects.
import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** The identities and their roles (OU): engine feeds workflows, operator reads and repairs, system is the server itself. */
export const CLUSTER_IDENTITIES = {
  'temporal-server': 'system',
  'guichet-api': 'engine',
  'guichet-worker': 'engine',
  operator: 'operator',
} as const;
export type ClusterIdentity = keyof typeof CLUSTER_IDENTITIES;

export interface CertFiles {
  cert: string;
  key: string;
}
export interface ClusterPki {
  dir: string;
  caFile: string;
  /** The name every client checks the server's certificate against. */
  serverName: string;
  files(identity: ClusterIdentity): CertFiles;
}

const SERVER_NAME = 'temporal.guichet.local';

const pkcs8Pem = async (key: CryptoKey) => x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
const serial = () =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^./, '4');

/** Makes what is missing in `dir` (the CA first); what exists is kept. */
export async function ensureClusterPki(dir: string): Promise<ClusterPki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caFile = join(dir, 'ca.pem');
  const caKeyFile = join(dir, 'ca.key');
  const files = (id: ClusterIdentity): CertFiles => ({ cert: join(dir, `${id}.pem`), key: join(dir, `${id}.key`) });
  const now = Date.now();
  let ca: x509.X509Certificate;
  let caKey: CryptoKey;
  if (existsSync(caFile) && existsSync(caKeyFile)) {
    ca = new x509.X509Certificate(readFileSync(caFile, 'utf8'));
    caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(readFileSync(caKeyFile, 'utf8')), EC, false, ['sign']);
  } else {
    const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
    ca = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: serial(),
        name: 'CN=guichet-engine development cluster CA, O=guichet-engine, C=CH',
        notBefore: new Date(now - DAY_MS),
        notAfter: new Date(now + 3650 * DAY_MS),
        keys,
        signingAlgorithm: SIGN,
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
        ],
      },
      webcrypto,
    );
    caKey = keys.privateKey;
    writeFileSync(caKeyFile, await pkcs8Pem(keys.privateKey), { mode: 0o600 });
    writeFileSync(caFile, ca.toString('pem'));
  }
  for (const [id, role] of Object.entries(CLUSTER_IDENTITIES) as [ClusterIdentity, string][]) {
    const f = files(id);
    if (existsSync(f.cert) && existsSync(f.key)) continue;
    const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
    const server = role === 'system';
    const cert = await x509.X509CertificateGenerator.create(
      {
        serialNumber: serial(),
        subject: `CN=${id}, OU=${role}, O=guichet-engine, C=CH`,
        issuer: ca.subject,
        notBefore: new Date(now - DAY_MS),
        notAfter: new Date(now + 825 * DAY_MS),
        publicKey: keys.publicKey,
        signingKey: caKey,
        signingAlgorithm: SIGN,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension(
            server ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth] : [x509.ExtendedKeyUsage.clientAuth],
          ),
          ...(server
            ? [
                new x509.SubjectAlternativeNameExtension([
                  { type: 'dns', value: SERVER_NAME },
                  { type: 'dns', value: 'localhost' },
                  { type: 'ip', value: '127.0.0.1' },
                ]),
              ]
            : []),
          await x509.AuthorityKeyIdentifierExtension.create(ca, false, webcrypto),
        ],
      },
      webcrypto,
    );
    writeFileSync(f.key, await pkcs8Pem(keys.privateKey), { mode: 0o600 });
    writeFileSync(f.cert, cert.toString('pem'));
  }
  return { dir, caFile, serverName: SERVER_NAME, files };
}
