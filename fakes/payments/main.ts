// Runs the fake payment provider on its own: `node --import tsx fakes/payments/main.ts`.
// PAYMENTS_PORT: the port (default 4080);
// PAYMENT_MERCHANT_ID / PAYMENT_PASSWORD: the Basic credentials it accepts, PAYMENT_SIGN_KEY: the
// hex HMAC key that signs its webhooks (default the demo ones, DEMO_CREDENTIALS in server.ts). The
// names are those the adapter reads (infra/payments.ts), so one environment serves both.
import { DEMO_CREDENTIALS, startFakePayments } from './server';

async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.PAYMENTS_PORT ?? 4080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PAYMENTS_PORT must be a port number, got ${env.PAYMENTS_PORT}`);
  const signKeyHex = env.PAYMENT_SIGN_KEY || DEMO_CREDENTIALS.signKeyHex;
  // Never echo the key: a bad one is named, not shown.
  if (!/^([0-9a-fA-F]{2}){16,}$/.test(signKeyHex)) throw new Error('PAYMENT_SIGN_KEY must be hex, at least 16 bytes');

  const payments = await startFakePayments({
    port,
    merchantId: env.PAYMENT_MERCHANT_ID || DEMO_CREDENTIALS.merchantId,
    password: env.PAYMENT_PASSWORD || DEMO_CREDENTIALS.password,
    signKeyHex,
  });
  process.stdout.write(
    `fake payment provider on ${payments.url}\n` +
      `  init:      POST ${payments.url}/v1/transactions  (Datatrans JSON API v1)\n` +
      `  page:      ${payments.url}/v1/start/{transactionId}\n` +
      `  status:    GET ${payments.url}/v1/transactions/{transactionId}   refund: POST …/{transactionId}/credit\n` +
      `  control:   ${payments.url}/_control/transactions   ${payments.url}/_control/webhooks\n` +
      `  merchantId: ${payments.credentials.merchantId}\n`,
  );

  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    payments.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake payment provider: ${String((err as Error)?.message ?? err)}\n`);
  process.exit(1);
});
