import { expect, test } from "bun:test";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testCa } from "../../../test/support/kube-api.ts";
import { startRegistryProcess } from "./process.ts";

const dir = () => mkdtempSync(join(tmpdir(), "berth-registry-process-"));

test("a registry that never answers: the timeout says why the last try failed, with the log's last lines", async () => {
  const root = dir();
  // Stands in for a registry that starts and never listens: writes a line, then waits.
  const binary = join(root, "silent-registry");
  writeFileSync(binary, "#!/bin/sh\necho 'level=info msg=\"starting\"'\nexec sleep 30\n");
  chmodSync(binary, 0o755);
  const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = closed.port;
  closed.stop(true);
  const started = startRegistryProcess({ binary, configFile: join(root, "config.yml"), logFile: join(root, "registry.log"), address: `127.0.0.1:${port}`, caPem: (await testCa("registry")).pem, timeoutMs: 300 });
  const error = (await started.catch((e: Error) => e)) as Error;
  expect(error.message).toStartWith(`the registry did not answer at https://127.0.0.1:${port}/v2/ within 300 ms (last try: ECONNREFUSED`);
  expect(error.message).toContain('level=info msg="starting"');
});

test("a registry that exits at once fails with its exit code and last lines", async () => {
  const root = dir();
  const binary = join(root, "broken-registry");
  writeFileSync(binary, "#!/bin/sh\necho 'configuration error: open /nowhere: no such file or directory' >&2\nexit 1\n");
  chmodSync(binary, 0o755);
  const error = (await startRegistryProcess({ binary, configFile: join(root, "config.yml"), logFile: join(root, "registry.log"), address: "127.0.0.1:1", caPem: "" }).catch((e: Error) => e)) as Error;
  expect(error.message).toBe(`the registry exited (1); its last lines (${join(root, "registry.log")}):\nconfiguration error: open /nowhere: no such file or directory`);
});
