import type { Principal } from "../core/people/rights.ts";

/** Hono context variables set by the API's middleware. */
export type ApiEnv = {
  Variables: {
    principal: Principal;
    requestId: string;
    /** The caller as of now (null once the token or session is gone): asked again during long answers. */
    currentPrincipal: () => Principal | null;
    stillAuthorised: () => boolean;
    /** The client's address (see client-ip.ts). */
    ip: string;
    /** The project the request acts on, as authorisation found it (or the handler, for apply). */
    project?: string;
    /** What the audit entry says beyond the route: names, never values. */
    auditDetail?: string;
  };
};
