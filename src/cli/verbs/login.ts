import { hostname } from "node:os";
import { ApiError, createClient, unwrap } from "../../client/index.ts";
import { loadClientSettings } from "../../config.ts";
import { writeLogin } from "../connect.ts";
import { askHidden, passwordFromStdin } from "../secret.ts";
import { UsageError, type Verb } from "../verb.ts";

/** A user's password traded for a token with their rights (POST /auth/token, outside the typed /api client). */
async function tokenForUser(url: string, user: string, password: string): Promise<string> {
  const name = `cli on ${hostname()}`.replace(/[^A-Za-z0-9 ._-]/g, "-").slice(0, 64);
  const res = await fetch(`${url}/auth/token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user, password, name }) });
  if (res.ok) return ((await res.json()) as { token: string }).token;
  const problem = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
  throw new ApiError(res.status, problem.code ?? "internal", problem.detail ?? `HTTP ${res.status} from ${url}/auth/token`);
}

export const login: Verb = {
  name: "login",
  summary: "Sign in to a Berth API as a user (--user) or with a token (--token), and store it",
  args: "URL",
  options: { token: { type: "string" }, user: { type: "string" }, "password-stdin": { type: "boolean" } },
  optionHelp: [
    "--user NAME         sign in as this user; the password is asked for on the terminal",
    "--password-stdin    with --user: read the password from stdin instead",
    "--token T           an API token (from `berth token create` on the server)",
  ],
  async run({ args, values, out }) {
    const url = args[0]!.replace(/\/$/, "");
    if (!/^https?:\/\/[^\s/]+/.test(url)) throw new UsageError(`not an http(s) URL: ${url}`);
    const user = values.user as string | undefined;
    let token = values.token as string | undefined;
    if (user && token) throw new UsageError("pass either --user or --token, not both");
    if (user) {
      const password = values["password-stdin"] ? passwordFromStdin() : await askHidden(`password for ${user} at ${url}: `);
      if (password === null) throw new UsageError("no terminal to ask for the password on: pass --password-stdin and pipe it in");
      token = await tokenForUser(url, user, password);
    }
    if (!token) throw new UsageError("pass --user NAME or --token T");
    const me = await unwrap(createClient({ url, token }).whoami.$get());
    const file = loadClientSettings().credentialsFile;
    writeLogin(file, { url, token });
    out(user ? `logged in to ${url} as ${me.user} (${me.role}); saved in ${file}` : `logged in to ${url} as token "${me.name}" (${me.role}); saved in ${file}`);
  },
};

export const whoamiVerb: Verb = {
  name: "whoami",
  summary: "Who the CLI acts as: the user, the credential's role, its project and the user's grants",
  options: { json: { type: "boolean" } },
  async run({ values, client, out }) {
    const me = await unwrap((await client()).whoami.$get());
    if (values.json) return out(JSON.stringify(me, null, 2));
    out(`${me.user} (${me.userRole}) via ${me.via === "token" ? `token "${me.name}"` : "a session"}: ${me.role}${me.project ? ` on ${me.project} only` : ""}`);
    if (me.grants.length > 0) out(`grants: ${me.grants.map((g) => `${g.project}:${g.role}`).join(", ")}`);
  },
};
