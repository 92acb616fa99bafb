/**
 * Polls `check` until it holds; fails after `timeoutMs` naming `what`. Returns how long it took,
 * for behaviour that promises a bound. The timeout is a generous safety net.
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
