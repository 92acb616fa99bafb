import { readFileSync, statSync } from "node:fs";
import { parse } from "yaml";
import { invalid } from "../../../core/errors.ts";

/** What the client needs to reach one cluster: where it is and the PEM texts to prove both ends. */
export interface KubeConfig {
  /** The API server, e.g. https://127.0.0.1:6443 (k3s writes the loopback address). */
  server: string;
  /** The cluster's CA: the server's certificate must be signed by it. */
  ca: string;
  /** Client certificate and key (k3s's admin user signs in this way, not with a token). */
  cert: string;
  key: string;
  /** The context these came from, for messages. */
  context: string;
  user: string;
}

type Raw = Record<string, unknown>;

const isObject = (value: unknown): value is Raw => typeof value === "object" && value !== null && !Array.isArray(value);

/** base64 → PEM text; a value that does not decode to a PEM block is refused with the field's name. */
function pemField(source: string, owner: Raw, field: string, where: string): string {
  const value = owner[field];
  if (typeof value !== "string" || value.trim() === "") {
    const fileField = field.replace(/-data$/, "");
    if (typeof owner[fileField] === "string") throw invalid(`${source}: ${where}.${fileField} points at a file; Berth reads only ${field} (inline base64), as k3s writes it`);
    throw invalid(`${source}: ${where}.${field} is missing`);
  }
  const text = Buffer.from(value.replace(/\s+/g, ""), "base64").toString("utf8");
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text)) throw invalid(`${source}: ${where}.${field} is not base64 of a PEM block`);
  return text;
}

function entry(source: string, doc: Raw, list: string, name: string, inner: string): Raw {
  const items = doc[list];
  if (!Array.isArray(items)) throw invalid(`${source}: no ${list} list`);
  const found = items.find((item: unknown) => isObject(item) && item.name === name) as Raw | undefined;
  if (!found) throw invalid(`${source}: ${list} has no entry named ${JSON.stringify(name)}`);
  const value = found[inner];
  if (!isObject(value)) throw invalid(`${source}: ${list} entry ${JSON.stringify(name)} has no ${inner}`);
  return value;
}

/**
 * Reads a kubeconfig's current context (or `context`): its cluster's server and CA, its user's
 * client certificate and key, all inline as k3s writes /etc/rancher/k3s/k3s.yaml. `source`
 * names the file in messages.
 */
export function parseKubeconfig(text: string, source = "kubeconfig", context?: string): KubeConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw invalid(`${source}: not YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!isObject(doc)) throw invalid(`${source}: not a kubeconfig (expected a YAML mapping)`);
  const chosen = context ?? doc["current-context"];
  if (typeof chosen !== "string" || chosen === "") throw invalid(`${source}: no current-context, and no context named`);
  const ctx = entry(source, doc, "contexts", chosen, "context");
  const clusterName = ctx.cluster;
  const userName = ctx.user;
  if (typeof clusterName !== "string") throw invalid(`${source}: context ${JSON.stringify(chosen)} names no cluster`);
  if (typeof userName !== "string") throw invalid(`${source}: context ${JSON.stringify(chosen)} names no user`);
  const cluster = entry(source, doc, "clusters", clusterName, "cluster");
  const user = entry(source, doc, "users", userName, "user");
  const server = cluster.server;
  if (typeof server !== "string") throw invalid(`${source}: cluster ${JSON.stringify(clusterName)} has no server`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw invalid(`${source}: cluster ${JSON.stringify(clusterName)}: server ${JSON.stringify(server)} is not a URL`);
  }
  // Without TLS the client certificate would prove nothing and the API's answers could be anyone's.
  if (url.protocol !== "https:") throw invalid(`${source}: cluster ${JSON.stringify(clusterName)}: server ${server} is not https`);
  if (cluster["insecure-skip-tls-verify"] === true) throw invalid(`${source}: cluster ${JSON.stringify(clusterName)} sets insecure-skip-tls-verify; Berth always checks the server's certificate`);
  if (typeof user.token === "string" && user["client-certificate-data"] === undefined) {
    throw invalid(`${source}: user ${JSON.stringify(userName)} signs in with a token; Berth reads client certificates only (k3s's admin kubeconfig)`);
  }
  return {
    server: server.replace(/\/+$/, ""),
    ca: pemField(source, cluster, "certificate-authority-data", `clusters[${clusterName}]`),
    cert: pemField(source, user, "client-certificate-data", `users[${userName}]`),
    key: pemField(source, user, "client-key-data", `users[${userName}]`),
    context: chosen,
    user: userName,
  };
}

/**
 * Reads a kubeconfig file (k3s: /etc/rancher/k3s/k3s.yaml, mode 0600). Its client key is the
 * cluster's admin: a file others may read gets one warning line through `warn`, and is still read
 * (k3s's own `write-kubeconfig-mode` can make it so on purpose).
 */
export function readKubeconfig(path: string, context?: string, warn: (line: string) => void = (line) => console.warn(line)): KubeConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw invalid(`cannot read kubeconfig ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) warn(`warning: kubeconfig ${path} is readable by others (mode ${mode.toString(8).padStart(4, "0")}); it holds the cluster's admin key: chmod 600 it`);
  return parseKubeconfig(text, path, context);
}
