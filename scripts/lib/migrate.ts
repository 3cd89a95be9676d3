// Migrations, apart from the embedded server (an ES module that jest's runtime cannot load).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** `prisma migrate deploy` against `databaseUrl`: applies the committed migrations. */
export function migrateDeploy(databaseUrl: string, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(cwd, 'node_modules/prisma/build/index.js'), 'migrate', 'deploy'], {
      cwd,
      env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`prisma migrate deploy failed (${code}):\n${out}`))));
  });
}
