import { loadConfig, localUrl } from "../../config.ts";
import { COMMIT, VERSION } from "../../version.ts";
import { json } from "../output.ts";
import type { Verb } from "../verb.ts";

interface Health {
  version?: string;
  pid?: number;
  /** Serve says where its edge answers /healthz (an install's settings are not this shell's). */
  edgeMetrics?: string;
}

async function health(url: string): Promise<Health | null> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    return response.ok ? ((await response.json()) as Health) : null;
  } catch {
    return null;
  }
}

/** After an upgrade the three can differ for a moment (or for good, when one did not restart): show each. */
export const versionVerb: Verb = {
  name: "version",
  summary: "Show the versions of this CLI, the control plane it talks to and this machine's edge",
  options: { json: { type: "boolean" } },
  async run({ configFile, values, credentials, out }) {
    const config = loadConfig({ file: configFile });
    let apiUrl: string;
    try {
      apiUrl = credentials().url;
    } catch {
      apiUrl = localUrl(config.apiListen);
    }
    const server = await health(apiUrl);
    const edgeUrl = server?.edgeMetrics ?? localUrl(config.edgeMetricsListen);
    // The edge's /healthz listens on the server's loopback: only a CLI on that machine can ask it.
    const onThisMachine = /^http:\/\/(127\.|\[::1\]|localhost)/.test(apiUrl);
    const edge = onThisMachine ? await health(edgeUrl) : null;
    const result = {
      cli: { version: VERSION, commit: COMMIT },
      server: server ? { url: apiUrl, version: server.version ?? null } : null,
      edge: edge ? { url: edgeUrl, version: edge.version ?? null, pid: edge.pid ?? null } : null,
    };
    if (values.json) return out(json(result));
    out(`cli:    berth ${VERSION} (commit ${COMMIT})`);
    out(server ? `server: berth ${server.version} at ${apiUrl}` : `server: no answer at ${apiUrl}`);
    out(edge ? `edge:   berth ${edge.version} (pid ${edge.pid}) at ${edgeUrl}` : onThisMachine ? `edge:   no answer at ${edgeUrl}` : "edge:   run berth version on the server to see it");
  },
};
