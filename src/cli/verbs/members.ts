import { unwrap } from "../../client/index.ts";
import { json, table } from "../output.ts";
import { UsageError, type Verb } from "../verb.ts";

const GRANTABLE = ["viewer", "member", "admin"] as const;

export const memberVerbs: Verb[] = [
  {
    name: "member add",
    summary: "Give a user a role on a project (or change it)",
    args: "PROJECT USER",
    options: { role: { type: "string" } },
    optionHelp: [`--role R   ${GRANTABLE.join(" | ")} (default member)`],
    async run({ args, values, client, out }) {
      const role = (values.role as string | undefined) ?? "member";
      if (!GRANTABLE.includes(role as (typeof GRANTABLE)[number])) throw new UsageError(`--role must be one of ${GRANTABLE.join(", ")}`);
      const route = (await client()).projects[":project"].members[":user"];
      await unwrap(route.$put({ param: { project: args[0]!, user: args[1]! }, json: { role: role as (typeof GRANTABLE)[number] } }));
      out(`${args[1]} is ${role} on ${args[0]}`);
    },
  },
  {
    name: "member list",
    summary: "Users granted a role on a project",
    args: "PROJECT",
    options: { json: { type: "boolean" } },
    async run({ args, values, client, out }) {
      const { members } = await unwrap((await client()).projects[":project"].members.$get({ param: { project: args[0]! } }));
      if (values.json) return out(json(members));
      out(table(["USER", "ROLE"], members.map((m) => [m.user, m.role])));
    },
  },
  {
    name: "member remove",
    summary: "Take away a user's role on a project",
    args: "PROJECT USER",
    async run({ args, client, out }) {
      await unwrap((await client()).projects[":project"].members[":user"].$delete({ param: { project: args[0]!, user: args[1]! } }));
      out(`${args[1]} is no longer a member of ${args[0]}`);
    },
  },
];
