import type { Verb } from "../verb.ts";

// main.ts starts the edge without this table (see edge/edge-entry.ts); the verb stays for help and
// completion, and loads the edge only when run.
export const edge: Verb = {
  name: "edge",
  summary: "Run the data plane: the reverse proxy for websites and APIs (berth serve starts it)",
  run: ({ configFile, out }) => import("../../edge/edge-entry.ts").then(({ runEdge }) => runEdge({ configFile, out })),
};
