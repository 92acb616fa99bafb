import { type Context, Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Services } from "../../core/services.ts";
import { environmentName, projectName } from "../../core/names.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";

const envParam = z.object({ project: projectName, env: environmentName });
const renderQuery = z.object({ release: z.coerce.number({ error: "expected a release number" }).int().positive().optional() });
const nodeParam = z.object({ name: z.string().min(1).max(253) });
/** A folder on the server's machine (the API runs there): absolute, so no working folder is guessed. */
const bundle = z.string().min(1).max(4096).startsWith("/", "expected the absolute path of a folder on the server");
/** Used for the connection only, never stored nor logged. */
const privateKey = z.string().min(1).max(64 * 1024).regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "expected a private key file's text (OpenSSH or PEM)");

/** Bun's server, as Hono passes it (absent in-process): it can lift the idle timeout of one request. */
interface TimeoutAware {
  timeout?(request: Request, seconds: number): void;
}

/**
 * Copying k3s (and its images) to a node over a slow link takes minutes with nothing sent to
 * the caller meanwhile: these requests are exempt from the server's idle timeout.
 */
const longRunning = (c: Context<ApiEnv>) => (c.env as TimeoutAware | undefined)?.timeout?.(c.req.raw, 0);

export const fleetRoutes = (fleet: Services["fleet"], nodes: Services["fleetNodes"]) =>
  new Hono<ApiEnv>()
    .get(
      "/projects/:project/environments/:env/fleet/manifests",
      describeRoute({ summary: "The Kubernetes objects fleet mode would apply for a release (default: the live one); secret values masked", tags: ["fleet"] }),
      valid("param", envParam),
      valid("query", renderQuery),
      (c) => {
        const { project, env } = c.req.valid("param");
        return c.json(fleet.render(project, env, c.req.valid("query").release));
      },
    )
    .get(
      "/fleet/nodes",
      describeRoute({ summary: "The fleet's server and nodes as recorded (no tokens), with what the cluster says of each (ready, kubelet version, roles, pressure), or why it was not asked", tags: ["fleet"] }),
      async (c) => c.json(await nodes.status()),
    )
    .post(
      "/fleet/init",
      describeRoute({ summary: "Install the pinned k3s as the fleet's server on the machine Berth runs on, from a verified bundle folder there", tags: ["fleet"] }),
      valid("json", z.strictObject({ bundle, address: z.string().min(1).max(253).optional() })),
      async (c) => {
        longRunning(c);
        return c.json(await nodes.init(c.req.valid("json")));
      },
    )
    .post(
      "/fleet/nodes",
      describeRoute({ summary: "Join a machine over SSH as a k3s agent (strict host key); a second run changes nothing", tags: ["fleet"] }),
      valid(
        "json",
        z.strictObject({
          address: z.string().min(1).max(300),
          privateKey,
          hostKey: z.string().max(100).optional(),
          bundle,
          name: z.string().min(1).max(253).optional(),
        }),
      ),
      async (c) => {
        longRunning(c);
        return c.json(await nodes.join(c.req.valid("json")));
      },
    )
    .post(
      "/fleet/nodes/:name/remove",
      describeRoute({ summary: "Uninstall k3s from a node over SSH and forget it; refused while services keep local data there unless forced; `forget` drops a machine that is gone without connecting", tags: ["fleet"] }),
      valid("param", nodeParam),
      valid("json", z.strictObject({ privateKey: privateKey.optional(), force: z.boolean().optional(), forget: z.boolean().optional() })),
      async (c) => {
        // A drain waits for disruption budgets and for evicted pods to go: minutes, past the API's idle limit.
        longRunning(c);
        return c.json(await nodes.remove(c.req.valid("param").name, c.req.valid("json")));
      },
    );
