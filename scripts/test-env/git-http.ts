// Smart-HTTP git server for the test environment: every request is handed to
// `git http-backend` as a CGI program. Started in the background by setup.sh.
//
//   bun scripts/test-env/git-http.ts --root DIR [--host 127.0.0.1] [--port 7480] [--tag T]
//
// A repository DIR/NAME.git is served at http://HOST:PORT/NAME.git (clone,
// fetch and push, no authentication). GET /_berth-test/health answers with the
// served root and --tag (setup.sh passes a hash of this file), so setup.sh can
// tell this server, in its current version, from anything else on the port.

import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    root: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "7480" },
    tag: { type: "string", default: "" },
  },
});
const root = values.root;
if (!root) {
  console.error("git-http: --root is required");
  process.exit(2);
}

// Environment of every git http-backend run: isolated from the host's git
// configuration, exporting all repositories, pushes allowed without REMOTE_USER.
const baseEnv: Record<string, string> = {
  PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
  HOME: root,
  GIT_PROJECT_ROOT: root,
  GIT_HTTP_EXPORT_ALL: "1",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_COUNT: "2",
  GIT_CONFIG_KEY_0: "http.receivepack",
  GIT_CONFIG_VALUE_0: "true",
  GIT_CONFIG_KEY_1: "safe.directory", // repositories may be owned by another user
  GIT_CONFIG_VALUE_1: "*",
  GATEWAY_INTERFACE: "CGI/1.1",
  SERVER_PROTOCOL: "HTTP/1.1",
};

const HEADER_END = new Uint8Array([13, 10, 13, 10]); // \r\n\r\n

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

async function handleGit(req: Request, url: URL): Promise<Response> {
  // Buffered request body: test pushes are small, and it avoids any
  // write-stdin/read-stdout ordering concerns with the CGI process.
  const body = req.body ? new Uint8Array(await req.arrayBuffer()) : undefined;
  const env: Record<string, string> = {
    ...baseEnv,
    REQUEST_METHOD: req.method,
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ""),
    REMOTE_ADDR: "127.0.0.1",
  };
  const optional: Array<[string, string]> = [
    ["CONTENT_TYPE", "content-type"],
    ["HTTP_CONTENT_ENCODING", "content-encoding"], // http-backend inflates gzip itself
    ["HTTP_GIT_PROTOCOL", "git-protocol"], // protocol v2
  ];
  for (const [name, header] of optional) {
    const value = req.headers.get(header);
    if (value) env[name] = value;
  }
  if (body) env.CONTENT_LENGTH = String(body.length);

  const proc = Bun.spawn(["git", "http-backend"], {
    env,
    stdin: body ?? "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });

  // Read the CGI header block, then stream the rest as the response body.
  const reader = proc.stdout.getReader();
  let buffered = new Uint8Array(0);
  let end = -1;
  while (end < 0) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered = concat(buffered, value);
    end = indexOf(buffered, HEADER_END);
  }
  if (end < 0) {
    await proc.exited;
    return new Response(`git http-backend exited with ${proc.exitCode} without headers\n`, { status: 502 });
  }

  let status = 200;
  const headers = new Headers();
  for (const line of new TextDecoder().decode(buffered.subarray(0, end)).split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
    else headers.append(name, value);
  }

  const rest = buffered.subarray(end + HEADER_END.length);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (rest.length) controller.enqueue(rest);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel() {
      proc.kill();
    },
  });
  return new Response(stream, { status, headers });
}

const server = Bun.serve({
  hostname: values.host,
  port: Number(values.port),
  idleTimeout: 255, // large fetches may pause while git packs objects
  async fetch(req) {
    const url = new URL(req.url);
    if (url.pathname === "/_berth-test/health") {
      return Response.json({ root, tag: values.tag, pid: process.pid });
    }
    try {
      const res = await handleGit(req, url);
      console.log(`${new Date().toISOString()} ${req.method} ${url.pathname}${url.search} ${res.status}`);
      return res;
    } catch (error) {
      console.error(`${new Date().toISOString()} ${req.method} ${url.pathname} failed:`, error);
      return new Response("internal error\n", { status: 500 });
    }
  },
});

console.log(`git-http: serving ${root} on http://${server.hostname}:${server.port} (pid ${process.pid})`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    server.stop(true);
    process.exit(0);
  });
}
