import type { Hono } from "hono";
import pageText from "../../ui/index.html" with { type: "text" };

// Bun types *.html imports as bundles; imported as text it is the page itself.
const page = pageText as unknown as string;

/**
 * The web console's page, embedded in the binary. It holds no data, so it is served without a
 * token; everything it shows comes from /api with the token the user signs in with.
 */
export function mountConsole(app: Hono) {
  app.get("/", (c) => c.html(page, 200, { "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'" }));
}
