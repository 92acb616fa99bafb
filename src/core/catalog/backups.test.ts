import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServiceBackupStore } from "../../adapters/backups/service-backup-store.ts";
import type { ReleaseRecord } from "../../ports/release-store.ts";
import type { ExecSession } from "../../ports/runtime.ts";
import { createServiceBackups, type BackupDeps } from "./backups.ts";

/** A dump that writes a chunk every 10 ms until it is closed (or 50 chunks). */
function endlessDump(): ExecSession {
  let listener: (data: Uint8Array, stream: "stdout" | "stderr") => void = () => {};
  let finish: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => (finish = resolve));
  let sent = 0;
  const timer = setInterval(() => {
    listener(new TextEncoder().encode("COPY rows\n".repeat(100)), "stdout");
    if (++sent === 50) (clearInterval(timer), finish(0));
  }, 10);
  return {
    onOutput: (l) => void (listener = l),
    write: async () => {},
    endInput: () => {},
    resize: async () => {},
    exited,
    close: () => (clearInterval(timer), finish(137)),
  };
}

test("a backup whose file cannot be written fails as a job run, and serve goes on", async () => {
  // The backup folder's parent is a plain file: every directory made under it fails.
  const blocker = join(mkdtempSync(join(tmpdir(), "berth-backups-")), "not-a-dir");
  writeFileSync(blocker, "");
  const release = { number: 1, blocks: [{ name: "db", spec: { kind: "service", template: "postgres" } }] } as unknown as ReleaseRecord;
  let outcome: Promise<{ exitCode: number }> | undefined;
  const lines: string[] = [];
  const deps: BackupDeps = {
    projects: { loadProject: () => ({ project: "shop", blocks: {}, environments: { dev: {} } }) as never },
    releases: { currentRelease: () => release },
    runtime: { exec: async () => endlessDump(), holdBlocks: async () => async () => {} } as never,
    store: createServiceBackupStore(join(blocker, "backups")),
    jobs: {
      startTask: (_place, _job, _trigger, _timeout, work) => {
        outcome = work((line) => lines.push(line), new AbortController().signal, { id: 7 } as never) as Promise<{ exitCode: number }>;
        return { id: 7 } as never;
      },
      wait: async () => ({}) as never,
    },
    exclusively: (async (_p: string, _e: string, _d: string, task: () => Promise<unknown>) => task()) as never,
  };
  createServiceBackups(deps).take("shop", "dev", "db", "manual");
  expect(await outcome).toEqual({ exitCode: 1 });
  expect(lines.at(-1)).toStartWith("backup failed: ");
});

test("a restore refuses a backup of another template (a block made again under the same name)", async () => {
  const store = createServiceBackupStore(mkdtempSync(join(tmpdir(), "berth-backups-")));
  const place = { project: "shop", environment: "dev", block: "db" };
  async function* dump() {
    yield new TextEncoder().encode("redis bytes");
  }
  const old = await store.save({ ...place, template: "redis", version: "7", runId: 1 }, "rdb", dump());
  const release = { number: 2, blocks: [{ name: "db", spec: { kind: "service", template: "postgres" } }] } as unknown as ReleaseRecord;
  let held = false;
  const backups = createServiceBackups({
    projects: { loadProject: () => ({ project: "shop", blocks: {}, environments: { dev: {} } }) as never },
    releases: { currentRelease: () => release },
    runtime: { exec: async () => endlessDump(), holdBlocks: async () => ((held = true), async () => {}) } as never,
    store,
    jobs: { startTask: () => ({}) as never, wait: async () => ({}) as never },
    exclusively: (async (_p: string, _e: string, _d: string, task: () => Promise<unknown>) => task()) as never,
  });
  await expect(backups.restore("shop", "dev", "db", old.id)).rejects.toThrow(`backup ${old.id} is a redis dump; db now runs postgres`);
  expect(held).toBe(false);
});
