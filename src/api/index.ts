import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { websocket } from "hono/bun";
import { describeRoute, openAPIRouteHandler } from "hono-openapi";
import { BerthError } from "../core/errors.ts";
import type { Services } from "../core/services.ts";
import { VERSION } from "../version.ts";
import { auditChanges } from "./audit.ts";
import { authenticate, authorizeRoute } from "./auth.ts";
import { whoami } from "./whoami.ts";
import type { ResolveProject } from "./policy.ts";
import { auditRoutes } from "./routes/audit.ts";
import { authRoutes } from "./routes/auth.ts";
import { memberRoutes } from "./routes/members.ts";
import { userRoutes } from "./routes/users.ts";
import { canSee, installRole } from "../core/people/rights.ts";
import { atLeast } from "../core/roles.ts";
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
import { fleetRoutes } from "./routes/fleet.ts";
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
import { createLoginGuard, LOGIN_LIMITS, type LoginGuard } from "../lib/throttle.ts";

/** Request bodies above this are refused before they are read whole. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** The project a build, release or job run belongs to, for authorisation; null when it does not exist. */
function resolver(s: Services): ResolveProject {
  const project = (get: () => { project: string }) => {
    try {
      return get().project;
    } catch (error) {
      if (error instanceof BerthError && error.code === "not_found") return null;
      throw error;
    }
  };
  return (scope) =>
    scope.resource === "build" ? project(() => s.builds.get(scope.id)) : scope.resource === "release" ? project(() => s.deployments.get(scope.id)) : project(() => s.jobs.get(scope.id));
}

/** The /api routes; `typeof` this is the contract the typed client is built from. */
export function createApiRoutes(s: Services, guard: LoginGuard = createLoginGuard()) {
  return new Hono<ApiEnv>()
    .use(authenticate(s, guard))
    // After authentication (it knows who), before authorisation (refusals are recorded too).
    .use(auditChanges(s.audit))
    .use(authorizeRoute(resolver(s)))
    .use(bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new BerthError("too_large", "request body is larger than 2 MB"); } }))
    .get("/whoami", describeRoute({ summary: "The calling user and credential: role, grants, the token's project", tags: ["users"] }), (c) => c.json(whoami(c.get("principal"))))
    .route("/projects", projectRoutes(s.projects))
    .route("/projects", memberRoutes(s.members))
    .route("/users", userRoutes(s.users))
    .route("/", auditRoutes(s.audit))
    .route("/projects", environmentRoutes(s.environments, s.projects))
    .route("/projects", variableRoutes(s.variables))
    .route("/tokens", tokenRoutes(s.tokens, s.users))
    .route("/", buildRoutes(s.builds, s.gitCredentials))
    .route("/", deployRoutes(s.deployments, s.metrics))
    .route("/", pipelineRoutes(s.deployments))
    .route("/", accessRoutes(s.access))
    .route("/", execRoutes(s.exec))
    .route("/", jobRoutes(s.jobs))
    .route("/", catalogRoutes(s.catalog))
    .route("/", fleetRoutes(s.fleet, s.fleetNodes))
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
  app.route("/hooks", hookRoutes(s.webhooks, s.audit));
  // People sign in with a password here; its guess limit is per user name as much as per address.
  const passwordGuard = createLoginGuard({ ...LOGIN_LIMITS, perCredential: LOGIN_LIMITS.perIp });
  app.route("/auth", authRoutes({ users: s.users, sessions: s.sessions, tokens: s.tokens, audit: s.audit, guard: passwordGuard }));
  // One login guard for /api and /metrics: a token guessed on either is one guess.
  const guard = createLoginGuard();
  const prometheus = createPrometheus(s.metrics, options.health, () => s.certs.list());
  app.get(
    "/metrics",
    describeRoute({ summary: "Prometheus text exposition: Berth's builds and deploys, every replica's and block's series, the machine", tags: ["metrics"] }),
    authenticate(s, guard),
    authorizeRoute(resolver(s)),
    async (c) => {
      const principal = c.get("principal");
      const view = { sees: (project: string) => canSee(principal, project), install: atLeast(installRole(principal), "viewer") };
      return c.body(await prometheus.render(view), 200, { "Content-Type": prometheus.contentType });
    },
  );
  const api = createApiRoutes(s, guard);
  app.route("/api", api);
  app.get(
    // Authenticated by the /api middleware above, like every other /api path.
    "/api/openapi.json",
    openAPIRouteHandler(app, {
      documentation: {
        info: { title: "Berth API", version: VERSION, description: "Every route but /healthz, /auth/* (a password or an invitation link) and /hooks/git/{project} (signed by the git host instead) needs Authorization: Bearer <token> or the console's berth_session cookie." },
        components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
        security: [{ bearer: [] }],
      },
    }),
  );
  mountConsole(app);
  return app;
}
