import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';
import { dataConverter } from './codec';
import type { DataKeyStore } from './data-keys';

/** One connection and client per process, made at boot and passed to whoever needs it. */
export async function connectClient(
  config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'PAYLOAD_KEYS' | 'PAYLOAD_ACTIVE_KEY_ID'>,
  dataKeys: DataKeyStore,
) {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverter(config.PAYLOAD_KEYS, config.PAYLOAD_ACTIVE_KEY_ID, dataKeys),
  });
  return { connection, client };
}
