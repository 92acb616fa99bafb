import { readFileSync } from "node:fs";
import { unwrap } from "../../client/index.ts";
import { GLOBAL_ROLES, type GlobalRole } from "../../core/roles.ts";
import { confirmDestructive } from "../confirm.ts";
import { ago, json, table } from "../output.ts";
import { passwordFromStdin } from "../secret.ts";
import { UsageError, type Verb } from "../verb.ts";

const jsonFlag = { json: { type: "boolean" } } as const;

const globalRole = (value: unknown): GlobalRole => {
  if (!GLOBAL_ROLES.includes(value as GlobalRole)) throw new UsageError(`the role must be one of ${GLOBAL_ROLES.join(", ")}`);
  return value as GlobalRole;
};

const readKeyFile = (file: string) => {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new UsageError(`cannot read SSH key ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
};

export const userVerbs: Verb[] = [
  {
    name: "user add",
    summary: "Add a user; prints a one-time invitation link (48 h) where they set their password",
    args: "NAME",
    options: { role: { type: "string" }, "ssh-key": { type: "string", multiple: true }, "password-stdin": { type: "boolean" }, ...jsonFlag },
    optionHelp: [
      `--role R            ${GLOBAL_ROLES.join(" | ")} (default member; none: only what project grants give)`,
      "--ssh-key FILE      a public key for SSH sign-in (repeatable)",
      "--password-stdin    set the password from stdin instead of inviting",
      "--json              print JSON",
    ],
    async run({ args, values, client, out }) {
      const role = values.role === undefined ? undefined : globalRole(values.role);
      const sshKeys = ((values["ssh-key"] as string[] | undefined) ?? []).map(readKeyFile);
      const password = values["password-stdin"] ? passwordFromStdin() : undefined;
      const added = await unwrap((await client()).users.$post({ json: { name: args[0]!, role, sshKeys, password } }));
      if (values.json) return out(json(added));
      out(`added user ${added.user.name} (${added.user.role})`);
      if (added.invitation) out(`invitation (until ${added.invitation.expiresAt}, works once):\n${added.invitation.url}`);
    },
  },
  {
    name: "user list",
    summary: "List users with their global role and project grants",
    options: jsonFlag,
    async run({ values, client, out }) {
      const { users } = await unwrap((await client()).users.$get());
      if (values.json) return out(json(users));
      const rows = users.map((u) => [u.name, u.role, u.grants.map((g) => `${g.project}:${g.role}`).join(" ") || "-", u.keys.length, u.hasPassword ? "yes" : "invited", ago(u.createdAt)]);
      out(table(["NAME", "ROLE", "GRANTS", "KEYS", "PASSWORD", "CREATED"], rows));
    },
  },
  {
    name: "user show",
    summary: "A user's role, grants and SSH keys",
    args: "NAME",
    options: jsonFlag,
    async run({ args, values, client, out }) {
      const user = await unwrap((await client()).users[":name"].$get({ param: { name: args[0]! } }));
      if (values.json) return out(json(user));
      out(`${user.name}: ${user.role}${user.hasPassword ? "" : " (invitation not taken up yet)"}`);
      out(`grants: ${user.grants.map((g) => `${g.project}:${g.role}`).join(", ") || "none"}`);
      for (const key of user.keys) out(`key ${key.fingerprint} ${key.algo} ${key.comment}`.trimEnd());
    },
  },
  {
    name: "user remove",
    summary: "Remove a user with their tokens, sessions, keys and grants",
    args: "NAME",
    options: { yes: { type: "boolean" } },
    optionHelp: ["--yes   do not ask"],
    async run(ctx) {
      const name = ctx.args[0]!;
      await confirmDestructive(ctx, `This removes user ${name}, their tokens and sessions.`, name);
      await unwrap((await ctx.client()).users[":name"].$delete({ param: { name } }));
      ctx.out(`removed user ${name}`);
    },
  },
  {
    name: "user role",
    summary: "Set a user's global role",
    args: "NAME ROLE",
    async run({ args, client, out }) {
      const user = await unwrap((await client()).users[":name"].role.$put({ param: { name: args[0]! }, json: { role: globalRole(args[1]) } }));
      out(`${user.name} is now ${user.role}`);
    },
  },
  {
    name: "user invite",
    summary: "A new invitation link for a user (the previous one stops working), e.g. after a lost password",
    args: "NAME",
    options: jsonFlag,
    async run({ args, values, client, out }) {
      const invitation = await unwrap((await client()).users[":name"].invitation.$post({ param: { name: args[0]! } }));
      if (values.json) return out(json(invitation));
      out(`invitation for ${args[0]} (until ${invitation.expiresAt}, works once):\n${invitation.url}`);
    },
  },
  {
    name: "user password",
    summary: "Set a user's password from stdin (your own, or as an admin anyone's); their sessions end",
    args: "NAME",
    options: { "password-stdin": { type: "boolean" } },
    optionHelp: ["--password-stdin   read the password from stdin (required: it must not show in ps)"],
    async run({ args, values, client, out }) {
      if (!values["password-stdin"]) throw new UsageError("pass --password-stdin and pipe the password in");
      await unwrap((await client()).users[":name"].password.$put({ param: { name: args[0]! }, json: { password: passwordFromStdin() } }));
      out(`password set for ${args[0]}`);
    },
  },
  {
    name: "user keys add",
    summary: "Add an SSH public key (a .pub file) to a user",
    args: "NAME FILE",
    async run({ args, client, out }) {
      const added = await unwrap((await client()).users[":name"].keys.$post({ param: { name: args[0]! }, json: { key: readKeyFile(args[1]!) } }));
      out(`added key ${added.fingerprint} to ${args[0]}`);
    },
  },
  {
    name: "user keys remove",
    summary: "Remove a user's SSH key by fingerprint (SHA256:…, as `ssh-keygen -lf` prints it)",
    args: "NAME FINGERPRINT",
    async run({ args, client, out }) {
      // Fingerprints are base64: their "/" and "+" must reach the server as one path segment.
      await unwrap((await client()).users[":name"].keys[":fingerprint"].$delete({ param: { name: args[0]!, fingerprint: encodeURIComponent(args[1]!) } }));
      out(`removed key ${args[1]} of ${args[0]}`);
    },
  },
  {
    name: "user sign-out-everywhere",
    summary: "End every console session of a user",
    args: "NAME",
    async run({ args, client, out }) {
      const { ended } = await unwrap((await client()).users[":name"].sessions.$delete({ param: { name: args[0]! } }));
      out(`ended ${ended} session(s) of ${args[0]}`);
    },
  },
];
