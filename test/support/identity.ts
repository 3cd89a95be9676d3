// The embedded identity provider for a test file: its own process (oidc-provider is an ES
// module jest cannot load; the tests talk to it over HTTP like the API and the browser do),
// a key of its own, the API origins whose workspace may sign in.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/ports';

export interface TestIdentityProvider {
  issuer: string;
  /** LocalIssuer's key file: `stack.token()` signs with the provider's own key. */
  keyFile: string;
  stop(): Promise<void>;
}

export async function startTestIdentityProvider(opts: { redirectOrigins: string[]; env?: Record<string, string> }): Promise<TestIdentityProvider> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'guichet-idp-'));
  const keyFile = join(dir, 'issuer.json');
  const issuer = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'infra', 'identity-provider', 'main.ts')], {
    env: {
      ...process.env,
      ISSUER_PORT: String(port),
      ISSUER_URL: issuer,
      ISSUER_KEY_FILE: keyFile,
      STAFF_REDIRECT_ORIGINS: opts.redirectOrigins.join(','),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('identity provider listening at')) {
    if (proc.exitCode !== null) throw new Error(`the identity provider exited:\n${out}`);
    if (Date.now() > deadline) throw new Error(`the identity provider did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    issuer,
    keyFile,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
