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
    options: { role: { type: "string" }, project: { type: "string" }, expires: { type: "string" }, ...jsonFlag },
    optionHelp: [
      `--role R      ${ROLES.join(" | ")} (default member; never more than your own)`,
      "--project P   the token acts on this project only",
      "--expires D   it stops working after D: 90m, 12h, 30d",
      "--json        print JSON",
    ],
    async run({ args, values, client, out }) {
      const role = (values.role as string | undefined) ?? "member";
      if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(", ")}`);
      const expires = values.expires as string | undefined;
      if (expires !== undefined && !/^[1-9][0-9]{0,5}(m|h|d)$/.test(expires)) throw new UsageError(`--expires must be a duration such as 90m, 12h or 30d, not "${expires}"`);
      const body = { name: args[0]!, role: role as Role, project: values.project as string | undefined, expiresIn: expires };
      const created = await unwrap((await client()).tokens.$post({ json: body }));
      if (values.json) return out(json(created));
      out(created.token);
      const scope = [created.project && `project ${created.project}`, created.expiresAt && `until ${created.expiresAt}`].filter(Boolean).join(", ");
      out(`# token ${created.id} "${created.name}" (${created.role}${scope ? `; ${scope}` : ""}); it is not shown again`);
    },
  },
  {
    name: "token list",
    summary: "List your API tokens (an install admin: everyone's)",
    options: jsonFlag,
    async run({ values, client, out }) {
      const { tokens } = await unwrap((await client()).tokens.$get());
      if (values.json) return out(json(tokens));
      const rows = tokens.map((t) => [t.id, t.user, t.name, t.role, t.project ?? "*", t.expiresAt ?? "never", ago(t.createdAt), ago(t.lastUsedAt)]);
      out(table(["ID", "USER", "NAME", "ROLE", "PROJECT", "EXPIRES", "CREATED", "LAST USED"], rows));
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
