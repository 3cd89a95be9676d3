// Personal data never in clear in Temporal: every payload (inputs, results, signals,
// queries, failure messages) is encrypted with AES-256-GCM before it leaves this process.
// The key id travels in the payload's metadata, so keys rotate: the active key encrypts,
// every key in the ring decrypts. Shared by the client, the worker and the codec server.
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { seal, unseal } from './aead';
import { DataKeyCodec, type DataKeyStore } from './data-keys';

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

export class AesGcmCodec implements PayloadCodec {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly activeKeyId: string,
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
      if (str(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
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
export function dataConverter(keys: ReadonlyMap<string, Buffer>, activeKeyId: string, dataKeys: DataKeyStore | null = null) {
  return {
    payloadCodecs: [new DataKeyCodec(dataKeys), new AesGcmCodec(keys, activeKeyId)],
    failureConverterPath: require.resolve('./failure-converter'),
  };
}
