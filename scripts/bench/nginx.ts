import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { whenReady } from "./proc.ts";

export interface Nginx {
  pid: number;
  stop(): Promise<void>;
}

/**
 * An nginx of its own (one worker unless told, no daemon, everything under a temp prefix) running `http`
 * as the body of its `http {}` block. Resolves once `port` accepts connections.
 */
export async function startNginx(name: string, port: number, http: string, workers: number | "auto" = 1): Promise<Nginx> {
  const prefix = mkdtempSync(join(tmpdir(), `berth-bench-nginx-${name}-`));
  for (const dir of ["logs", "tmp"]) mkdirSync(join(prefix, dir));
  const conf = join(prefix, "nginx.conf");
  writeFileSync(
    conf,
    `daemon off;
master_process on;
worker_processes ${workers};
pid ${join(prefix, "nginx.pid")};
error_log ${join(prefix, "logs/error.log")} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(prefix, "tmp")};
  proxy_temp_path ${join(prefix, "tmp")};
  fastcgi_temp_path ${join(prefix, "tmp")};
  uwsgi_temp_path ${join(prefix, "tmp")};
  scgi_temp_path ${join(prefix, "tmp")};
  keepalive_requests 1000000;
  keepalive_timeout 300s;
${http}
}
`,
  );
  const test = Bun.spawnSync(["nginx", "-t", "-q", "-p", prefix, "-c", conf, "-e", "stderr"], { stdout: "pipe", stderr: "pipe" });
  if (test.exitCode !== 0) {
    rmSync(prefix, { recursive: true, force: true });
    throw new Error(`nginx ${name}: bad config: ${test.stderr.toString().trim()}`);
  }
  const proc = Bun.spawn(["nginx", "-p", prefix, "-c", conf, "-e", "stderr"], { stdout: "ignore", stderr: "pipe" });
  return whenReady(proc, {
    ready: async () => {
      const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
      socket.end();
      return true;
    },
    timeoutMs: 5000,
    pollMs: 20,
    why: async () => {
      let errors = "";
      try {
        errors = readFileSync(join(prefix, "logs/error.log"), "utf8").trim();
      } catch {}
      return `nginx ${name} did not listen on 127.0.0.1:${port}: ${errors || (await new Response(proc.stderr).text())}`;
    },
    cleanup: () => rmSync(prefix, { recursive: true, force: true }),
  });
}
