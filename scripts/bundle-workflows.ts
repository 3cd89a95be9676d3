// `npm run build`: the production workflow bundle, so the worker does not bundle at start.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { BUNDLE_OPTIONS } from '../worker/worker';

async function main() {
  const { code } = await bundleWorkflowCode(BUNDLE_OPTIONS);
  const out = join(__dirname, '..', 'dist', 'workflow-bundle.js');
  mkdirSync(join(__dirname, '..', 'dist'), { recursive: true });
  writeFileSync(out, code);
  process.stdout.write(`workflow bundle written: ${out} (${Math.round(code.length / 1024)} KiB)\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
