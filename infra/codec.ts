// Personal data never in clear in Temporal: every payload (inputs, results, signals,
// queries, failure messages) is encrypted with AES-256-GCM before it leaves this process.
// The key id travels in the payload's metadata, so keys rotate: the active key encrypts,
// every key in the ring decrypts. Shared by the client, the worker and the codec server.
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { seal, unseal } from './aead';
import { DataKeyCodec, type DataKeyStore } from './data-keys';
import { PLAINTEXT_REFUSED } from './payload-marker';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const text = (s: string) => Buffer.from(s, 'utf8');
const str = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export class KeyUnavailableError extends Error {
  constructor(readonly keyId: string) {
    super(`payload key "${keyId}" is not in this keyring (destroyed or never configured)`);
    this.name = 'KeyUnavailableError';
  }
}

/** A payload that is not what this codec made: tampered, truncated, or under another key. */
export class UndecodablePayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndecodablePayloadError';
  }
}

/** What the worker's codec hands on instead of an input it did not encrypt (see workflows/interceptors.ts). */
const REFUSED_PLAINTEXT: Payload = {
  metadata: { [METADATA_ENCODING_KEY]: text('json/plain') },
  data: text(JSON.stringify({ [PLAINTEXT_REFUSED]: true })),
};

export class AesGcmCodec implements PayloadCodec {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly activeKeyId: string,
    /** The worker's: a payload not encrypted here is replaced by a marker its interceptors refuse. */
    private readonly refusePlaintext = false,
  ) {
    if (!keys.has(activeKeyId)) throw new Error(`active payload key "${activeKeyId}" is not in the keyring`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.activeKeyId)!;
    return payloads.map((payload) => ({
      metadata: { [METADATA_ENCODING_KEY]: text(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text(this.activeKeyId) },
      data: seal(key, temporal.api.common.v1.Payload.encode(payload).finish()),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (str(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return this.refusePlaintext ? REFUSED_PLAINTEXT : payload;
      const keyId = str(payload.metadata?.[KEY_ID_METADATA]) ?? '';
      const key = this.keys.get(keyId);
      if (!key) throw new KeyUnavailableError(keyId);
      try {
        return temporal.api.common.v1.Payload.decode(unseal(key, payload.data ?? new Uint8Array()));
      } catch (err) {
        throw new UndecodablePayloadError(`payload under key "${keyId}" cannot be opened: ${(err as Error).message}`);
      }
    });
  }
}

/**
 * Client, worker and bundle all use this: a record's personal data under its own data key
 * (crypto-shredding, ./data-keys), everything under the cluster key, and failures whose
 * messages are encoded too. Codecs encode in order and decode in reverse.
 */
export function dataConverter(keys: ReadonlyMap<string, Buffer>, activeKeyId: string, dataKeys: DataKeyStore | null = null, refusePlaintext = false) {
  return {
    payloadCodecs: [new DataKeyCodec(dataKeys), new AesGcmCodec(keys, activeKeyId, refusePlaintext)],
    failureConverterPath: require.resolve('./failure-converter'),
  };
}

/**
 * The worker's: the same, and no input it did not encrypt reaches a workflow (a client
 * without the key, the `temporal` CLI, the Web UI), whoever could reach the frontend.
 */
export function workerDataConverter(keys: ReadonlyMap<string, Buffer>, activeKeyId: string, dataKeys: DataKeyStore | null = null) {
  return dataConverter(keys, activeKeyId, dataKeys, true);
}
