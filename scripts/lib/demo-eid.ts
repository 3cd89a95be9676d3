// The e-ID side of the demo (`npm start`): the demo issuer (a stand-in for the Beta-ID's BCS)
// and the fake generic verifier that trusts it, with the settings the engine's adapter
// (infra/eid/config.ts) reads. A demo person's wallet is `npm run wallet`.
import { join } from 'node:path';
import { startFakeEidVerifier } from '../../fakes/eid-verifier/server';
import { startDemoEidIssuer, type DemoOrigin } from '../../fakes/eid-wallet/demo-issuer';
import { BETA_ID_VCT } from '../../fakes/eid-wallet/issuer';

export interface DemoEidOptions {
  /** The data directory; the issuer keeps its key, DID and status list in `<dataDir>/eid`. */
  dataDir: string;
  /** 0 lets the OS pick one. */
  issuerPort: number;
  verifierPort: number;
  host?: string;
  /**
   * The engine's webhook route and the static header the verifier sends it. The verifier retries
   * each event quietly every `intervalMs` (default 2000, as the real one) until a 2xx, so a
   * target that is not up yet only delays the event.
   */
  webhook?: { url: string; apiKeyHeader: string; apiKeyValue: string; intervalMs?: number };
  /** The demo people's place of origin and birth place on their e-ID (default Jura's). */
  origin?: DemoOrigin;
}

export interface DemoEidEnv {
  EID_VERIFIER_URL: string;
  EID_ACCEPTED_ISSUER_DIDS: string;
  EID_VCT_VALUES: string;
  EID_WEBHOOK_API_KEY_HEADER?: string;
  EID_WEBHOOK_API_KEY_VALUE?: string;
}

export interface DemoEid {
  env: DemoEidEnv;
  issuerUrl: string;
  verifierUrl: string;
  close(): Promise<void>;
}

export async function startDemoEid(opts: DemoEidOptions): Promise<DemoEid> {
  const host = opts.host ?? '127.0.0.1';
  const issuer = await startDemoEidIssuer({ port: opts.issuerPort, dir: join(opts.dataDir, 'eid'), host, origin: opts.origin });
  let verifier: Awaited<ReturnType<typeof startFakeEidVerifier>>;
  try {
    verifier = await startFakeEidVerifier({
      port: opts.verifierPort,
      host,
      issuerKeys: { [issuer.kid]: issuer.publicJwk },
      statusListOrigins: [issuer.origin],
      webhook: opts.webhook,
    });
  } catch (err) {
    await issuer.close();
    throw err;
  }
  const { webhook } = opts;
  return {
    env: {
      EID_VERIFIER_URL: verifier.url,
      EID_ACCEPTED_ISSUER_DIDS: issuer.did,
      // The BCS needs both, the new vct and the legacy one (swiyu roadmap post of 2026-05-19).
      EID_VCT_VALUES: [BETA_ID_VCT, 'betaid-sdjwt'].join(','),
      ...(webhook ? { EID_WEBHOOK_API_KEY_HEADER: webhook.apiKeyHeader, EID_WEBHOOK_API_KEY_VALUE: webhook.apiKeyValue } : {}),
    },
    issuerUrl: issuer.url,
    verifierUrl: verifier.url,
    close: async () => {
      await Promise.all([verifier.close(), issuer.close()]);
    },
  };
}
