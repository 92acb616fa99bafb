import { createClient, unwrap } from "../../client/index.ts";
import { loadClientSettings } from "../../config.ts";
import { writeLogin } from "../connect.ts";
import { UsageError, type Verb } from "../verb.ts";

export const login: Verb = {
  name: "login",
  summary: "Store the URL and token of a remote Berth API",
  args: "URL",
  options: { token: { type: "string" } },
  optionHelp: ["--token T   an API token (from `berth token create` on the server)"],
  async run({ args, values, out }) {
    const url = args[0]!.replace(/\/$/, "");
    if (!/^https?:\/\/[^\s/]+/.test(url)) throw new UsageError(`not an http(s) URL: ${url}`);
    const token = values.token as string | undefined;
    if (!token) throw new UsageError("--token is required");
    const me = await unwrap(createClient({ url, token }).whoami.$get());
    const file = loadClientSettings().credentialsFile;
    writeLogin(file, { url, token });
    out(`logged in to ${url} as token "${me.name}" (${me.role}); saved in ${file}`);
  },
};
