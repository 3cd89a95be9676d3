import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { Config } from './config';
import { dataConverter } from './codec';
import type { DataKeyStore } from './data-keys';

export type TemporalTlsConfig = Pick<Config, 'TEMPORAL_TLS_CA_FILE' | 'TEMPORAL_TLS_CERT_FILE' | 'TEMPORAL_TLS_KEY_FILE' | 'TEMPORAL_TLS_SERVER_NAME'>;

/**
 * The mTLS settings of this process's connections to the Temporal frontend (the API's and the
 * workers' certificates carry the role the server's authorizer gives them), or none where the
 * configuration names no certificate (the development server).
 */
export function temporalTls(config: TemporalTlsConfig): TLSConfig | undefined {
  if (!config.TEMPORAL_TLS_CERT_FILE || !config.TEMPORAL_TLS_KEY_FILE || !config.TEMPORAL_TLS_CA_FILE) return undefined;
  return {
    serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME,
    serverRootCACertificate: readFileSync(config.TEMPORAL_TLS_CA_FILE),
    clientCertPair: { crt: readFileSync(config.TEMPORAL_TLS_CERT_FILE), key: readFileSync(config.TEMPORAL_TLS_KEY_FILE) },
  };
}

/** One connection and client per process, made at boot and passed to whoever needs it. */
export async function connectClient(
  config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'PAYLOAD_KEYS' | 'PAYLOAD_ACTIVE_KEY_ID'> & TemporalTlsConfig,
  dataKeys: DataKeyStore,
) {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, tls: temporalTls(config) });
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverter(config.PAYLOAD_KEYS, config.PAYLOAD_ACTIVE_KEY_ID, dataKeys),
  });
  return { connection, client };
}
