import type { Hono } from "hono";
import pageText from "../../ui/index.html" with { type: "text" };
// Written by scripts/bundle-console.ts (the build, the test preload and `bun run start` run it).
import script from "../../dist/console/console.js" with { type: "text" };
import style from "../../dist/console/console.css" with { type: "text" };

// Bun types *.html imports as bundles; imported as text it is the page itself.
const page = pageText as unknown as string;

// Script and style come only from these files, so no inline code (injected or not) runs.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The console's screens: each is a URL of its own, so a deep link or a reload lands on the
 * page again. The page holds no data; the API answers only a signed-in user.
 */
export const CONSOLE_PATHS = ["/", "/p/*", "/certs", "/api-docs", "/invite/*", "/admin/*", "/signin"];

/**
 * The web console, embedded in the binary. It holds no data, so it is served without a
 * token; everything it shows comes from /api with the credentials the user signs in with.
 */
export function mountConsole(app: Hono) {
  const asset = (body: string, type: string) => () =>
    new Response(body, { headers: { "Content-Type": type, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" } });
  for (const path of CONSOLE_PATHS) app.get(path, (c) => c.html(page, 200, { "Content-Security-Policy": CSP, "Cache-Control": "no-cache" }));
  app.get("/console.js", asset(script, "text/javascript; charset=utf-8"));
  app.get("/console.css", asset(style, "text/css; charset=utf-8"));
}
