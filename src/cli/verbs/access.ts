import { readFileSync } from "node:fs";
import { unwrap } from "../../client/index.ts";
import { ago, json, table } from "../output.ts";
import { UsageError, type Verb } from "../verb.ts";

const envParam = (args: string[]) => ({ project: args[0]!, env: args[1]! });

export const accessVerbs: Verb[] = [
  {
    name: "password set",
    summary: "Set a website user's password (read from stdin) for HTTP basic auth",
    args: "PROJECT ENV BLOCK USER",
    async run({ args, client, out }) {
      const password = readFileSync(0, "utf8").replace(/\r?\n$/, "");
      if (password === "") throw new UsageError("no password on stdin (pipe it in: it must not show in ps or shell history)");
      const route = (await client()).projects[":project"].environments[":env"].blocks[":block"].passwords[":username"];
      await unwrap(route.$put({ param: { ...envParam(args), block: args[2]!, username: args[3]! }, json: { password } }));
      out(`password set for ${args[3]} on ${args[0]}/${args[1]}/${args[2]}`);
    },
  },
  {
    name: "password remove",
    summary: "Remove a website user",
    args: "PROJECT ENV BLOCK USER",
    async run({ args, client, out }) {
      const route = (await client()).projects[":project"].environments[":env"].blocks[":block"].passwords[":username"];
      await unwrap(route.$delete({ param: { ...envParam(args), block: args[2]!, username: args[3]! } }));
      out(`removed ${args[3]}`);
    },
  },
  {
    name: "gateway client create",
    summary: "Create an API gateway client; the secret is printed once",
    args: "PROJECT ENV",
    options: { name: { type: "string" }, json: { type: "boolean" } },
    optionHelp: ["--name NAME   a label for the client", "--json        print { clientId, clientSecret }"],
    async run({ args, values, client, out }) {
      const route = (await client()).projects[":project"].environments[":env"].gateway.clients;
      const created = await unwrap(route.$post({ param: envParam(args), json: { name: (values.name as string | undefined) ?? "client" } }));
      if (values.json) return out(json({ clientId: created.clientId, clientSecret: created.clientSecret }));
      out(`client id:     ${created.clientId}`);
      out(`client secret: ${created.clientSecret}`);
      out("# the secret is not shown again; trade both for a token with POST https://gateway.<env>.<project>.<domain>/auth");
    },
  },
  {
    name: "gateway client list",
    summary: "List an environment's gateway clients",
    args: "PROJECT ENV",
    options: { json: { type: "boolean" } },
    async run({ args, values, client, out }) {
      const { clients } = await unwrap((await client()).projects[":project"].environments[":env"].gateway.clients.$get({ param: envParam(args) }));
      if (values.json) return out(json(clients));
      out(table(["CLIENT ID", "NAME", "CREATED"], clients.map((c) => [c.clientId, c.name, ago(c.createdAt)])));
    },
  },
  {
    name: "gateway client revoke",
    summary: "Revoke a gateway client",
    args: "PROJECT ENV CLIENT_ID",
    async run({ args, client, out }) {
      const route = (await client()).projects[":project"].environments[":env"].gateway.clients[":clientId"];
      await unwrap(route.$delete({ param: { ...envParam(args), clientId: args[2]! } }));
      out(`revoked ${args[2]}`);
    },
  },
];
