// Before the shared servers stop: the run's personal data is searched for, in clear, on the
// dev server (ids, search attributes, memos, histories), in the time-skipping suites' results
// and in the run's logs (test/support/pii-scan.ts). A hit fails `npm test`.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { collectPersonalData, formatHits, logFiles, readSuiteRecords, runStartedMs, scanLogs, scanTemporal, type Hit } from './pii-scan';

async function scanRun(stack: { pg: { url: string }; dev: { address: string } }): Promise<void> {
  const dir = process.env.TEST_LOG_DIR;
  if (!dir) return;
  const log = (m: string) => process.stderr.write(`[pii scan] ${m}\n`);
  const t0 = Date.now();
  const { needles, databases, fixtureFiles } = await collectPersonalData(stack.pg.url, { fixturesSinceMs: runStartedMs() });
  const dev = await scanTemporal({ address: stack.dev.address }, 'default', needles);
  const files = logFiles(dir);
  const logs = scanLogs(files, needles);
  const suites = readSuiteRecords(dir);
  const hits: Hit[] = [...dev.hits, ...logs.hits];
  for (const s of suites) hits.push(...s.hits.map((h) => ({ ...h, workflowId: `${h.workflowId ?? ''} [time-skipping server of ${s.suite}]` })));
  const failedSuites = suites.filter((s) => s.error);
  const workflows = dev.workflows + suites.reduce((n, s) => n + s.workflows, 0);
  const figures =
    `${workflows} workflows (${dev.workflows} on the dev server, ${dev.events} events, ${(dev.historyBytes / 1e6).toFixed(1)} MB; ` +
    `${workflows - dev.workflows} on ${suites.length} time-skipping servers), ${needles.length} needles (${databases} databases, ${fixtureFiles} fixture files), ` +
    `${files.length} log files (${(logs.bytes / 1e6).toFixed(1)} MB); ${((Date.now() - t0) / 1000).toFixed(1)} s here + ${(suites.reduce((n, s) => n + (s.ms ?? 0), 0) / 1000).toFixed(1)} s in the suites`;
  if (hits.length === 0 && failedSuites.length === 0) {
    log(`${figures}: no personal data in clear`);
    if (!process.env.KEEP_TEST_LOGS) rmSync(dir, { recursive: true, force: true });
    return;
  }
  const report = [`personal data in clear: ${hits.length} hit(s) — ${figures}`];
  if (hits.length) report.push(formatHits(hits));
  for (const s of failedSuites) report.push(`  - the scan of ${s.suite}'s time-skipping server failed: ${s.error}`);
  report.push(`  (needles masked; the logs and the suites' results are kept in ${dir})`);
  log(report.join('\n'));
  throw new Error(
    `[pii scan] personal data in clear: ${hits.length} hit(s)${failedSuites.length ? `, ${failedSuites.length} suite scan(s) failed` : ''} (report above)`,
  );
}

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as Record<string, unknown>).__guichetStack as
    | {
        pg: { url: string; stop(): Promise<void> };
        dev: { address: string; stop(): Promise<void> };
        timeSkipping: { summary(): string; close(): Promise<void> };
        dataDir: string;
      }
    | undefined;
  if (!stack) return;
  try {
    await scanRun(stack);
  } finally {
    // Every suite has scanned and released its server by now; spares and leftovers go here.
    process.stderr.write(`[test teardown] time-skipping servers: ${stack.timeSkipping.summary()}\n`);
    await stack.timeSkipping.close();
    await stack.dev.stop();
    await stack.pg.stop();
    // The run's database and bundle go; its logs stay only when the scan kept them (hits).
    for (const what of ['data', 'workflow-bundle.js']) rmSync(join(stack.dataDir, what), { recursive: true, force: true });
    if (!existsSync(join(stack.dataDir, 'logs'))) rmSync(stack.dataDir, { recursive: true, force: true });
  }
}
