import { ApiError, unwrap } from "../../client/index.ts";
import { json } from "../output.ts";
import type { Verb } from "../verb.ts";

const print = (hook: { project: string; url: string; secret: string }, out: (line: string) => void) => {
  out(`url:    ${hook.url}`);
  out(`secret: ${hook.secret}`);
  out("# content type application/json, push events; environments with autoDeploy: true deploy on pushes to their ref (docs/webhooks.md)");
};

export const webhookVerbs: Verb[] = [
  {
    name: "webhook show",
    summary: "Print the project's git webhook URL and secret (the secret is made on first use; needs admin)",
    args: "PROJECT",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print { project, url, secret }"],
    async run({ args, values, client, out }) {
      const route = (await client()).projects[":project"].webhook;
      const param = { project: args[0]! };
      // Reading never makes a secret; the first `show` makes it (as `block key` does a deploy key).
      const hook = await unwrap(route.$get({ param })).catch((error: unknown) => {
        if (error instanceof ApiError && error.code === "not_found" && /no webhook secret yet/.test(error.message)) return unwrap(route.$post({ param }));
        throw error;
      });
      if (values.json) return out(json(hook));
      print(hook, out);
    },
  },
  {
    name: "webhook rotate",
    summary: "Replace the project's webhook secret; the old one stops working at once (needs admin)",
    args: "PROJECT",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print { project, url, secret }"],
    async run({ args, values, client, out }) {
      const hook = await unwrap((await client()).projects[":project"].webhook.rotate.$post({ param: { project: args[0]! } }));
      if (values.json) return out(json(hook));
      print(hook, out);
      out("# paste the new secret into the git host's webhook settings: deliveries signed with the old one are refused");
    },
  },
];
