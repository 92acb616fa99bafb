/**
 * Work started now and awaited later, all at once: `settle` waits for every task, including
 * those added while it waits, and then rethrows the first error. Errors are caught as they
 * happen, so a task failing before `settle` is no unhandled rejection.
 */
export function background() {
  const running = new Set<Promise<void>>();
  let firstError: { error: unknown } | undefined;
  return {
    run(work: () => Promise<void>): void {
      const task: Promise<void> = work()
        .catch((error: unknown) => void (firstError ??= { error }))
        .finally(() => running.delete(task));
      running.add(task);
    },
    async settle(): Promise<void> {
      while (running.size > 0) await Promise.all(running);
      if (firstError) throw firstError.error;
    },
  };
}
