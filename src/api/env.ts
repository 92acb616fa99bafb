import type { TokenRecord } from "../ports/token-store.ts";

/** Hono context variables set by the API's middleware. */
export type ApiEnv = { Variables: { token: TokenRecord; requestId: string; stillAuthorised: () => boolean } };
