import { Hono } from "hono";
import { upgradeWebSocket } from "hono/bun";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Exec } from "../../core/exec.ts";
import { blockName, environmentName, projectName } from "../../core/names.ts";
import type { ExecSession } from "../../ports/runtime.ts";
import type { ApiEnv } from "../env.ts";
import { RECHECK_MS } from "../sse.ts";
import { valid } from "../validate.ts";

const param = z.object({ project: projectName, env: environmentName, block: blockName });
const query = z.object({
  replica: z.coerce.number().int().min(0).max(100).default(0),
  tty: z.enum(["0", "1"]).default("0"),
  /** The command as a JSON array of arguments; none opens a shell. */
  command: z
    .string()
    .max(65536)
    .default("[]")
    .transform((text, ctx) => {
      try {
        const value: unknown = JSON.parse(text);
        if (Array.isArray(value) && value.length <= 256 && value.every((arg) => typeof arg === "string")) return value as string[];
      } catch {}
      ctx.addIssue({ code: "custom", message: "expected a JSON array of strings" });
      return z.NEVER;
    }),
});

/** Control messages from the client, as text frames; input is sent as binary frames. */
const control = z.discriminatedUnion("type", [
  z.object({ type: z.literal("resize"), columns: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) }),
  z.object({ type: z.literal("eof") }),
]);

const STDOUT = 1;
const STDERR = 2;

/**
 * `berth exec` over a websocket. Authenticated and authorised like every /api route (member:
 * see policy.ts); the request is checked before the upgrade, so a wrong block is a plain 404.
 * Server → client: binary frames, first byte 1 (stdout) or 2 (stderr), then the bytes; at the
 * end a text frame {"type":"exit","code":N}. Client → server: binary frames are input; text
 * frames are {"type":"resize",columns,rows} or {"type":"eof"}.
 */
export const execRoutes = (exec: Exec) =>
  new Hono<ApiEnv>().get(
    "/projects/:project/environments/:env/blocks/:block/exec",
    describeRoute({ summary: "Run a command or a shell in a running replica (websocket; see docs/cli.md `berth exec`)", tags: ["deploys"] }),
    valid("param", param),
    valid("query", query),
    upgradeWebSocket((c) => {
      // The validators above already refused bad input; the websocket helper's context is untyped.
      const { project, env, block } = param.parse(c.req.param());
      const { replica, tty, command } = query.parse(c.req.query());
      const request = exec.check({ project, environment: env, block, replica, tty: tty === "1", command });
      const stillAuthorised = c.get("stillAuthorised");
      let session: ExecSession | null = null;
      let closed = false;
      let recheck: ReturnType<typeof setInterval> | undefined;
      // The client may type before the engine has started the command: keep its frames until then.
      const early: (string | ArrayBuffer)[] = [];
      const handle = (data: string | ArrayBuffer) => {
        if (!session) return void early.push(data);
        if (typeof data !== "string") return session.write(new Uint8Array(data));
        const message = control.safeParse(JSON.parse(data || "null"));
        if (!message.success) return;
        if (message.data.type === "eof") session.endInput();
        else void session.resize(message.data.columns, message.data.rows);
      };
      return {
        async onOpen(_event, ws) {
          // Like log streams: a shell opened with a token that is revoked later does not stay open.
          recheck = setInterval(() => {
            if (stillAuthorised()) return;
            ws.send(JSON.stringify({ type: "error", message: "the API token was revoked or lost its role" }));
            ws.close(1008, "denied");
          }, RECHECK_MS);
          try {
            session = await exec.start(request);
          } catch (error) {
            ws.send(JSON.stringify({ type: "error", message: (error as Error).message.split("\n")[0] }));
            return ws.close(1011, "exec failed");
          }
          if (closed) return session.close();
          session.onOutput((data, stream) => {
            const frame = new Uint8Array(data.length + 1);
            frame[0] = stream === "stdout" ? STDOUT : STDERR;
            frame.set(data, 1);
            ws.send(frame);
          });
          for (const data of early.splice(0)) handle(data);
          const code = await session.exited;
          ws.send(JSON.stringify({ type: "exit", code }));
          ws.close(1000, "exited");
        },
        onMessage(event) {
          handle(event.data as string | ArrayBuffer);
        },
        onClose() {
          closed = true;
          clearInterval(recheck);
          session?.close();
        },
      };
    }),
  );
