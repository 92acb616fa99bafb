/** The edge's own answers: short, plain text (JSON on gateway hosts), never an empty hang. */

const TEXT = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };

export const text = (status: number, body: string, headers?: Record<string, string>) =>
  new Response(`${body}\n`, { status, headers: headers ? { ...TEXT, ...headers } : TEXT });

export const jsonError = (status: number, error: string, headers?: Record<string, string>) =>
  Response.json({ error }, { status, headers: { "cache-control": "no-store", ...headers } });

/** A route with no upstream: its environment was stopped (`berth env stop`) or the block scaled to 0. */
export const stoppedPage = (route: { project: string; environment: string; block: string }) =>
  `environment ${route.environment} of ${route.project} is stopped: ${route.block} has no running instance`;
