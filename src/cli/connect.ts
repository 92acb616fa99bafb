import { existsSync, readFileSync, rmSync } from "node:fs";
import { dataFiles, loadClientSettings, loadConfig, localUrl } from "../config.ts";
import { createClient, type Client } from "../client/index.ts";
import { writePrivate } from "../lib/private-file.ts";

export interface Credentials {
  url: string;
  token: string;
  /** Where the URL came from, for error messages: the setting to change. */
  source: string;
}

/** What `berth serve` records for CLIs on the same machine, wherever its data dir is. */
export interface LocalServer {
  url: string;
  tokenFile: string;
  dataDir: string;
}

export function readLogin(file: string): { url: string; token: string } | null {
  if (!existsSync(file)) return null;
  const data = JSON.parse(readFileSync(file, "utf8")) as Partial<Credentials>;
  return data.url && data.token ? { url: data.url, token: data.token } : null;
}

const writeJson = (file: string, value: unknown) => writePrivate(file, JSON.stringify(value, null, 2) + "\n");

export function writeLogin(file: string, credentials: { url: string; token: string }) {
  writeJson(file, credentials);
}

/** Serve records where it listens, so `dist/berth` finds a server `bun run start` started and vice versa. */
export function recordLocalServer(server: LocalServer) {
  writeJson(loadClientSettings().localServerFile, server);
}

export function forgetLocalServer(dataDir: string) {
  const file = loadClientSettings().localServerFile;
  if (readLocalServer(file)?.dataDir === dataDir) rmSync(file, { force: true });
}

function readLocalServer(file: string): LocalServer | null {
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as Partial<LocalServer>;
    return data.url && data.tokenFile && data.dataDir ? (data as LocalServer) : null;
  } catch {
    return null;
  }
}

const readToken = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim() || undefined : undefined);

/**
 * Where the API is and which token to use: BERTH_URL/BERTH_TOKEN, then `berth login`, then
 * the server of this machine's settings (its listen address and the admin.token it wrote),
 * then the server `berth serve` last recorded for this user — like k3s's kubeconfig.
 */
export function resolveCredentials(configFile?: string): Credentials {
  const settings = loadClientSettings();
  if (settings.url && settings.token) return { url: settings.url, token: settings.token, source: "BERTH_URL" };
  const login = readLogin(settings.credentialsFile);
  if (login && !settings.url) return { ...login, source: `saved by berth login in ${settings.credentialsFile}` };
  const config = loadConfig({ file: configFile });
  const tokenFile = dataFiles(config).adminToken;
  const configured = readToken(tokenFile);
  const recorded = readLocalServer(settings.localServerFile);
  if (settings.url || configured) {
    const token = settings.token ?? configured;
    // Serve records where it really listens: an install's settings live in its unit's
    // environment file, which a shell on the box does not read.
    const url = settings.url ?? (recorded?.dataDir === config.dataDir ? recorded.url : localUrl(config.apiListen));
    if (token) return { url, token, source: settings.url ? "BERTH_URL" : "BERTH_API_LISTEN or apiListen in the config file" };
  }
  const recordedToken = recorded && readToken(recorded.tokenFile);
  if (recorded && recordedToken && !settings.url) {
    return { url: recorded.url, token: settings.token ?? recordedToken, source: `recorded by berth serve in ${settings.localServerFile}` };
  }
  throw new Error(
    `no API token: run \`berth login URL --token TOKEN\`, set BERTH_URL and BERTH_TOKEN, or start \`berth serve\` on this machine (it writes ${tokenFile})`,
  );
}

export function connect(configFile?: string): { client: Client; credentials: Credentials } {
  const credentials = resolveCredentials(configFile);
  return { client: createClient(credentials), credentials };
}
