import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { dataFiles, loadClientSettings, loadConfig, localUrl } from "../config.ts";
import { createClient, type Client } from "../client/index.ts";

export interface Credentials {
  url: string;
  token: string;
}

export function readLogin(file: string): Credentials | null {
  if (!existsSync(file)) return null;
  const data = JSON.parse(readFileSync(file, "utf8")) as Partial<Credentials>;
  return data.url && data.token ? { url: data.url, token: data.token } : null;
}

export function writeLogin(file: string, credentials: Credentials) {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * Where the API is and which token to use: BERTH_URL/BERTH_TOKEN, then `berth login`, then
 * the server on this machine (its listen address and the admin.token it wrote), like k3s's kubeconfig.
 */
export function resolveCredentials(configFile?: string): Credentials {
  const settings = loadClientSettings();
  if (settings.url && settings.token) return { url: settings.url, token: settings.token };
  const login = readLogin(settings.credentialsFile);
  if (login && !settings.url) return login;
  const config = loadConfig({ file: configFile });
  const tokenFile = dataFiles(config).adminToken;
  const url = settings.url ?? localUrl(config.apiListen);
  const token = settings.token ?? (existsSync(tokenFile) ? readFileSync(tokenFile, "utf8").trim() : undefined);
  if (!token) {
    throw new Error(`no API token: run \`berth login URL --token TOKEN\`, set BERTH_TOKEN, or start \`berth serve\` here (it writes ${tokenFile})`);
  }
  return { url, token };
}

export function connect(configFile?: string): Client {
  return createClient(resolveCredentials(configFile));
}
