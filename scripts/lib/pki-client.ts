// A client's TLS settings for the cluster's frontend from the development PKI (scripts/lib/pki.ts).
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { ClusterIdentity, ClusterPki } from './pki';

export function clientTls(pki: ClusterPki, id: ClusterIdentity): TLSConfig {
  const f = pki.files(id);
  return {
    serverNameOverride: pki.serverName,
    serverRootCACertificate: readFileSync(pki.caFile),
    clientCertPair: { crt: readFileSync(f.cert), key: readFileSync(f.key) },
  };
}
