/**
 * Polls `check` until it holds; fails after `timeoutMs` naming `what`. Returns how long it took,
 * for tests whose issue names a generous bound. The bound is a safety net, not the assertion.
 */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000, what = "condition"): Promise<number> {
  const start = Date.now();
  for (;;) {
    let last: unknown;
    try {
      if (await check()) return Date.now() - start;
    } catch (error) {
      last = error;
    }
    if (Date.now() - start > timeoutMs) {
      const why = last instanceof Error ? `: last attempt threw ${last.message.split("\n")[0]}` : "";
      throw new Error(`${what} not met within ${timeoutMs} ms${why}`);
    }
    await Bun.sleep(25);
  }
}
