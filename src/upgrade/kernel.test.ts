import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { moveQueuedConnections } from "./kernel.ts";

test("the setting is turned on when off, left alone when on, and a file that cannot be written is a one-line reason", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-kernel-"));
  const file = join(dir, "tcp_migrate_req");
  writeFileSync(file, "0\n");
  expect(moveQueuedConnections(file)).toBeNull();
  expect(readFileSync(file, "utf8")).toBe("1");
  expect(moveQueuedConnections(file)).toBeNull();
  const reason = moveQueuedConnections(join(dir, "missing", "tcp_migrate_req"));
  expect(reason).toContain("net.ipv4.tcp_migrate_req is not 1 and could not be set (ENOENT)");
});
