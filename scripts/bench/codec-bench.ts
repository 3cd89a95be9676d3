// 1. The payload codec alone: a typical 1 KiB JSON payload through the JSON payload
// converter, with and without AES-256-GCM (encode + decode), in alternating rounds.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec } from '../../infra/codec';
import type { AccessRequestInput } from '../../workflows/access-request/types';
import { median } from './stats';

export interface CodecResult {
  payloadBytes: number;
  /** payloads/s through toPayload + fromPayload */
  plainPerSecond: number;
  /** payloads/s through toPayload + encode + decode + fromPayload */
  codecPerSecond: number;
  encryptedBytes: number;
}

/** An access request's input (what the client sends), padded to `bytes` of JSON. */
export function typicalInput(bytes = 1024): AccessRequestInput {
  const base: AccessRequestInput = {
    requestId: '3f1c9a52-7b0e-4d6a-9c1f-2a8e5b7d4c10',
    canton: 'JU',
    unitId: 'SPOP',
    service: 'building-permits',
    citizenSub: 'eid-citizen-3f1c9a52-7b0e-4d6a-9c1f-2a8e5b7d4c10',
    filedBySub: 'eid-citizen-3f1c9a52-7b0e-4d6a-9c1f-2a8e5b7d4c10',
    filedByRole: 'citizen',
    applicant: { avsNumber: '756.9217.0769.85', email: 'jeanne.exemple@example.ch' },
    note: '',
    requestedAt: '2025-03-14T09:26:53.589Z',
  };
  const filler = 'Demande de consultation du dossier de permis de construire, parcelle n° 1234, commune de Delémont. ';
  let note = '';
  while (Buffer.byteLength(JSON.stringify({ ...base, note: note + filler })) <= bytes) note += filler;
  note += 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify({ ...base, note })));
  return { ...base, note };
}

export async function benchCodec(opts: { rounds: number; roundMs: number }): Promise<CodecResult> {
  const codec = new AesGcmCodec(new Map([['bench-1', randomBytes(32)]]), 'bench-1');
  const value = typicalInput(1024);
  const conv = defaultPayloadConverter;
  const sample = conv.toPayload(value);
  const [sealed] = await codec.encode([sample]);

  let sink = 0; // keeps the results alive
  const plain = async () => {
    const p = conv.toPayload(value);
    const back = conv.fromPayload<AccessRequestInput>(p);
    sink += back.note!.length;
  };
  const encrypted = async () => {
    const p: Payload = conv.toPayload(value);
    const [enc] = await codec.encode([p]);
    const [dec] = await codec.decode([enc!]);
    const back = conv.fromPayload<AccessRequestInput>(dec!);
    sink += back.note!.length;
  };
  // Sanity: the round trip gives the value back.
  const [check] = await codec.decode(await codec.encode([conv.toPayload(value)]));
  if (JSON.stringify(conv.fromPayload(check!)) !== JSON.stringify(value)) throw new Error('codec round trip changed the payload');

  const run = async (fn: () => Promise<void>, ms: number) => {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      for (let i = 0; i < 200; i++) await fn();
      n += 200;
      t = performance.now();
    }
    return n / ((t - t0) / 1000);
  };
  await run(plain, 200); // warm-up (JIT)
  await run(encrypted, 200);
  const plainRates: number[] = [];
  const codecRates: number[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    // ABBA order: drift (thermal, GC, the servers in the background) hits both alike.
    if (r % 2 === 0) {
      plainRates.push(await run(plain, opts.roundMs));
      codecRates.push(await run(encrypted, opts.roundMs));
    } else {
      codecRates.push(await run(encrypted, opts.roundMs));
      plainRates.push(await run(plain, opts.roundMs));
    }
  }
  if (sink === 0) throw new Error('nothing measured');
  return {
    payloadBytes: sample.data!.length,
    plainPerSecond: median(plainRates),
    codecPerSecond: median(codecRates),
    encryptedBytes: sealed!.data!.length,
  };
}
