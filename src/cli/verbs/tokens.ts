import { unwrap } from "../../client/index.ts";
import { ROLES, type Role } from "../../core/roles.ts";
import { ago, json, table } from "../output.ts";
import { UsageError, type Verb } from "../verb.ts";

const jsonFlag = { json: { type: "boolean" } } as const;

export const tokenVerbs: Verb[] = [
  {
    name: "token create",
    summary: "Create an API token; its value is printed once",
    args: "NAME",
    options: { role: { type: "string" }, ...jsonFlag },
    optionHelp: [`--role R   ${ROLES.join(" | ")} (default member)`, "--json     print JSON"],
    async run({ args, values, client, out }) {
      const role = (values.role as string | undefined) ?? "member";
      if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(", ")}`);
      const created = await unwrap((await client()).tokens.$post({ json: { name: args[0]!, role: role as Role } }));
      if (values.json) return out(json(created));
      out(created.token);
      out(`# token ${created.id} "${created.name}" (${created.role}); it is not shown again`);
    },
  },
  {
    name: "token list",
    summary: "List API tokens",
    options: jsonFlag,
    async run({ values, client, out }) {
      const { tokens } = await unwrap((await client()).tokens.$get());
      if (values.json) return out(json(tokens));
      out(table(["ID", "NAME", "ROLE", "CREATED", "LAST USED"], tokens.map((t) => [t.id, t.name, t.role, ago(t.createdAt), ago(t.lastUsedAt)])));
    },
  },
  {
    name: "token revoke",
    summary: "Revoke an API token",
    args: "ID",
    async run({ args, client, out }) {
      await unwrap((await client()).tokens[":id"].$delete({ param: { id: args[0]! } }));
      out(`revoked token ${args[0]}`);
    },
  },
];
