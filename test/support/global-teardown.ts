export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as Record<string, unknown>).__guichetStack as
    | { pg: { stop(): Promise<void> }; dev: { stop(): Promise<void> } }
    | undefined;
  if (!stack) return;
  await stack.dev.stop();
  await stack.pg.stop();
}
