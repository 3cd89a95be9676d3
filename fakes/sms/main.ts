// Runs the fake SMS provider on its own: `node --import tsx fakes/sms/main.ts`.
// SMS_PORT: the port (default 4070);
// SMS_GATEWAY_ACCOUNT_ID / SMS_GATEWAY_USER / SMS_GATEWAY_PASSWORD: the AccountSid and Basic
// credentials it accepts (default the demo ones, DEMO_CREDENTIALS in server.ts; the account
// defaults to the user, as when Twilio's auth token is used).
import { DEMO_CREDENTIALS, startFakeSms } from './server';

async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.SMS_PORT ?? 4070);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SMS_PORT must be a port number, got ${env.SMS_PORT}`);
  const user = env.SMS_GATEWAY_USER || DEMO_CREDENTIALS.user;
  const credentials = {
    accountId: env.SMS_GATEWAY_ACCOUNT_ID || (env.SMS_GATEWAY_USER ? user : DEMO_CREDENTIALS.accountId),
    user,
    password: env.SMS_GATEWAY_PASSWORD || DEMO_CREDENTIALS.password,
  };

  const sms = await startFakeSms({ port, credentials });
  process.stdout.write(
    `fake SMS provider on ${sms.url}\n` +
      `  send:      POST ${sms.url}/2010-04-01/Accounts/${credentials.accountId}/Messages.json  (Twilio Messages API)\n` +
      `  sent:      ${sms.url}/_control/messages?to=%2B41…   last code: ${sms.url}/_control/last-code?to=%2B41…\n` +
      `  control:   ${sms.url}/_control\n` +
      `  Basic user: ${credentials.user}\n`,
  );

  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    sms.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake SMS provider: ${String((err as Error)?.message ?? err)}\n`);
  process.exit(1);
});
