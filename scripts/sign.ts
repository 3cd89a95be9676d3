// `npm run -s sign -- --as demo-adele FILE [--at ISO] [--dir DIR]`
// Signs FILE as the portal's signing tool does with a demo person's qualified certificate (from
// the test QCA that `npm start` keeps in ${DATA_DIR:-.data}/qca) and prints one JSON line:
// {"documentSha256":"<hex>","signatureValue":"<base64 detached CMS>","signedAt":"<ISO>"}.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { signDetached } from '../fakes/qca/authority';
import { readQcaDir } from '../fakes/qca/server';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ options: { as: { type: 'string' }, at: { type: 'string' }, dir: { type: 'string' } }, allowPositionals: true });
  } catch (err) {
    fail(`${(err as Error).message}\nusage: npm run -s sign -- --as <sub> [--at ISO] [--dir DIR] FILE`);
  }
  const { values, positionals } = parsed;
  if (!values.as || positionals.length !== 1) fail('usage: npm run -s sign -- --as <sub> [--at ISO] [--dir DIR] FILE');
  const dir = resolve(values.dir ?? join(process.env.DATA_DIR ?? join(__dirname, '..', '.data'), 'qca'));
  let signingTime = new Date();
  if (values.at !== undefined) {
    signingTime = new Date(values.at);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(values.at) || Number.isNaN(signingTime.getTime())) fail('--at must be an ISO instant such as 2026-03-01T10:00:00Z');
  }
  // The signing-time attribute is a UTCTime: whole seconds.
  signingTime = new Date(Math.floor(signingTime.getTime() / 1000) * 1000);

  const state = readQcaDir(dir);
  if (!state) fail(`no test qualified CA in ${dir}: run \`npm start\` first`);
  const person = state.people[values.as];
  if (!person) fail(`no certificate for ${values.as} in ${dir}; known: ${Object.keys(state.people).sort().join(', ') || 'none'}`);
  let document: Buffer;
  try {
    document = readFileSync(positionals[0]!);
  } catch {
    fail(`cannot read ${positionals[0]}`);
  }
  const signatureValue = await signDetached(document, person, { signingTime });
  process.stdout.write(
    `${JSON.stringify({ documentSha256: createHash('sha256').update(document).digest('hex'), signatureValue, signedAt: signingTime.toISOString() })}\n`,
  );
}

main().catch((err: unknown) => fail(`sign: ${String((err as Error)?.message ?? err)}`));
