// The Chancellery's workspace (web/) built by Vite into web/dist, served by the API at /staff.
// Built again only when its sources or the lockfile changed (a stamp of their hash).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const web = join(root, 'web');
const stampFile = join(web, 'dist', '.build-stamp');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'dist' || name === 'node_modules') return [];
    return statSync(path).isDirectory() ? sources(path) : [path];
  });
}

function sourceHash(): string {
  const h = createHash('sha256');
  for (const file of [...sources(web), join(root, 'package-lock.json')].sort())
    h.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return h.digest('hex');
}

export async function ensureWebBuilt(log: (m: string) => void = (m) => process.stderr.write(`[web] ${m}\n`)): Promise<void> {
  const hash = sourceHash();
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash) return;
  log('building the Chancellery workspace (web/) with Vite …');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(web, 'vite.config.mts')], {
      cwd: root,
      // Always React's production build, whatever the caller's NODE_ENV (jest sets `test`).
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}:\n${out.slice(-4000)}`))));
  });
  writeFileSync(stampFile, hash);
  log(`workspace built in ${((Date.now() - started) / 1000).toFixed(1)} s (web/dist)`);
}

if (require.main === module) {
  ensureWebBuilt().catch((err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
