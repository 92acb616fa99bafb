import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { websocket } from "hono/bun";
import { describeRoute, openAPIRouteHandler } from "hono-openapi";
import { BerthError } from "../core/errors.ts";
import type { Services } from "../core/services.ts";
import { VERSION } from "../version.ts";
import { authenticate } from "./auth.ts";
import { mountConsole } from "./console.ts";
import type { ApiEnv } from "./env.ts";
import { onError, problem } from "./problem.ts";
import { accessRoutes } from "./routes/access.ts";
import { buildRoutes } from "./routes/builds.ts";
import { certRoutes } from "./routes/certs.ts";
import { deployRoutes } from "./routes/deploys.ts";
import { environmentRoutes } from "./routes/environments.ts";
import { execRoutes } from "./routes/exec.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { catalogRoutes } from "./routes/catalog.ts";
import { logRoutes } from "./routes/logs.ts";
import { pipelineRoutes } from "./routes/pipeline.ts";
import { notificationRoutes } from "./routes/notifications.ts";
import { projectRoutes } from "./routes/projects.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { variableRoutes } from "./routes/variables.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { hookRoutes } from "./hooks.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { createPrometheus } from "./prometheus.ts";
import { createLoginGuard, type LoginGuard } from "../lib/throttle.ts";

/** Request bodies above this are refused before they are read whole. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** The /api routes; `typeof` this is the contract the typed client is built from. */
export function createApiRoutes(s: Services, guard: LoginGuard = createLoginGuard()) {
  return new Hono<ApiEnv>()
    .use(authenticate(s.tokens, guard))
    .use(bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new BerthError("too_large", "request body is larger than 2 MB"); } }))
    .get("/whoami", describeRoute({ summary: "The calling token", tags: ["tokens"] }), (c) => c.json(c.get("token")))
    .route("/projects", projectRoutes(s.projects))
    .route("/projects", environmentRoutes(s.environments, s.projects))
    .route("/projects", variableRoutes(s.variables))
    .route("/tokens", tokenRoutes(s.tokens))
    .route("/", buildRoutes(s.builds, s.gitCredentials))
    .route("/", deployRoutes(s.deployments, s.metrics))
    .route("/", pipelineRoutes(s.deployments))
    .route("/", accessRoutes(s.access))
    .route("/", execRoutes(s.exec))
    .route("/", jobRoutes(s.jobs))
    .route("/", catalogRoutes(s.catalog))
    .route("/", certRoutes(s.certs))
    .route("/", webhookRoutes(s.webhooks))
    .route("/projects", notificationRoutes(s.notifications))
    .route("/", metricsRoutes(s.metrics))
    .route("/", logRoutes(s.logs));
}

export type Api = ReturnType<typeof createApiRoutes>;

export interface HttpAppOptions {
  /** More fields for /healthz from the process serving it (serve adds its edge's pid and restarts). */
  health?: () => Record<string, unknown>;
}

/** Bun.serve's websocket handler for the API's websocket routes (exec). */
export const apiWebSocket = websocket;

/** The HTTP app: health, OpenAPI and the authenticated API, with errors as problem+json. */
export function createHttpApp(s: Services, options: HttpAppOptions = {}) {
  const app = new Hono();
  app.use(requestId());
  app.onError(onError);
  app.notFound((c) => problem(c, "not_found", `no route for ${c.req.method} ${c.req.path}`));
  app.get("/healthz", (c) => c.json({ status: "ok", version: VERSION, ...options.health?.() }));
  // Outside /api: git hosts sign their requests instead of sending a token (see policy.ts).
  app.route("/hooks", hookRoutes(s.webhooks));
  // One login guard for /api and /metrics: a token guessed on either is one guess.
  const guard = createLoginGuard();
  const prometheus = createPrometheus(s.metrics, options.health, () => s.certs.list());
  app.get(
    "/metrics",
    describeRoute({ summary: "Prometheus text exposition: Berth's builds and deploys, every replica's and block's series, the machine", tags: ["metrics"] }),
    authenticate(s.tokens, guard),
    async (c) => c.body(await prometheus.render(), 200, { "Content-Type": prometheus.contentType }),
  );
  const api = createApiRoutes(s, guard);
  app.route("/api", api);
  app.get(
    // Authenticated by the /api middleware above, like every other /api path.
    "/api/openapi.json",
    openAPIRouteHandler(app, {
      documentation: {
        info: { title: "Berth API", version: VERSION, description: "Every route but /healthz and /hooks/git/{project} (signed by the git host instead) needs Authorization: Bearer <token>." },
        components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
        security: [{ bearer: [] }],
      },
    }),
  );
  mountConsole(app);
  return app;
}
