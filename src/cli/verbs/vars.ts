import { readFileSync } from "node:fs";
import { parse as parseDotenv } from "dotenv";
import { unwrap } from "../../client/index.ts";
import { json, table } from "../output.ts";
import { followOrDetach } from "./deploy.ts";
import { UsageError, type Verb, type VerbContext } from "../verb.ts";

const target = (args: string[]) => ({ project: args[0]!, env: args[1]!, block: args[2]! });

async function setVars(ctx: VerbContext, vars: Record<string, string>) {
  const secret = Boolean(ctx.values.secret);
  const route = (await ctx.client()).projects[":project"].environments[":env"].blocks[":block"].vars;
  const { set } = await unwrap(route.$put({ param: target(ctx.args), json: { vars, secret } }));
  ctx.out(`set ${set.join(", ")}${secret ? " (secret)" : ""} for ${ctx.args.slice(0, 3).join("/")}`);
  await deployAfter(ctx);
}

/** Containers get their variables when they start: say so, or (--deploy) roll them out now. */
async function deployAfter(ctx: VerbContext): Promise<void> {
  const [project, env] = ctx.args as [string, string];
  if (!ctx.values.deploy) {
    ctx.out(`the app sees the change after the next deploy: berth deploy ${project} ${env} (or pass --deploy)`);
    return;
  }
  const api = await ctx.client();
  const release = await unwrap(api.projects[":project"].environments[":env"].deploys.$post({ param: { project, env }, query: {} }));
  const code = await followOrDetach(ctx, api, release);
  if (code !== 0) throw new Error(`the variables are set, but release ${release.number} did not deploy`);
}

const deployFlag = { deploy: { type: "boolean" } } as const;
const deployHelp = "--deploy   deploy the environment right away, so the app sees the change";

/** Reads one line from stdin: how a secret is passed without it showing in `ps`. */
function readValueFromStdin(name: string): string {
  const text = readFileSync(0, "utf8");
  if (text === "") throw new UsageError(`no value for ${name} on stdin`);
  return text.replace(/\r?\n$/, "");
}

export const varVerbs: Verb[] = [
  {
    name: "vars list",
    summary: "List a block's variables in an environment (secrets masked)",
    args: "PROJECT ENV BLOCK",
    options: { json: { type: "boolean" } },
    async run({ args, values, client, out }) {
      const route = (await client()).projects[":project"].environments[":env"].blocks[":block"].vars;
      const { vars } = await unwrap(route.$get({ param: target(args) }));
      if (values.json) return out(json(vars));
      out(table(["NAME", "VALUE", "SECRET", "SOURCE"], vars.map((v) => [v.name, v.value, v.secret ? "yes" : "no", v.source])));
    },
  },
  {
    name: "vars get",
    summary: "Print one variable's value (a secret stays masked unless --reveal, which needs the admin role)",
    args: "PROJECT ENV BLOCK NAME",
    options: { reveal: { type: "boolean" }, json: { type: "boolean" } },
    optionHelp: ["--reveal    print a secret's value in clear (admins only)", "--json      print name, value, secret and source as JSON"],
    async run({ args, values, client, out }) {
      const route = (await client()).projects[":project"].environments[":env"].blocks[":block"].vars[":name"];
      const view = await unwrap(route.$get({ param: { ...target(args), name: args[3]! }, query: values.reveal ? { reveal: "true" } : {} }));
      out(values.json ? json(view) : view.value);
    },
  },
  {
    name: "vars set",
    summary: "Set variables: NAME=value …, or NAME alone to read its value from stdin",
    args: "PROJECT ENV BLOCK NAME=value…",
    minArgs: 4,
    variadic: true,
    options: { secret: { type: "boolean" }, ...deployFlag },
    optionHelp: ["--secret   store encrypted; never shown again", deployHelp],
    async run(ctx) {
      const pairs = ctx.args.slice(3);
      const vars: Record<string, string> = {};
      for (const pair of pairs) {
        const eq = pair.indexOf("=");
        if (eq === -1 && pairs.length > 1) throw new UsageError(`${pair}: expected NAME=value (NAME alone reads one value from stdin)`);
        if (eq === 0) throw new UsageError(`${pair}: the variable name is empty`);
        if (eq === -1) vars[pair] = readValueFromStdin(pair);
        else vars[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      await setVars(ctx, vars);
    },
  },
  {
    name: "vars unset",
    summary: "Remove variables set with vars set",
    args: "PROJECT ENV BLOCK NAME…",
    minArgs: 4,
    variadic: true,
    async run({ args, client, out }) {
      const route = (await client()).projects[":project"].environments[":env"].blocks[":block"].vars.unset;
      const { removed } = await unwrap(route.$post({ param: target(args), json: { names: args.slice(3) } }));
      out(`removed ${removed} variable(s)`);
    },
  },
  {
    name: "vars import",
    summary: "Set variables from a .env file",
    args: "PROJECT ENV BLOCK",
    options: { file: { type: "string", short: "f" }, secret: { type: "boolean" }, ...deployFlag },
    optionHelp: ["-f, --file FILE   a .env file (NAME=value lines)", "--secret          store them encrypted", deployHelp.replace("--deploy ", "--deploy        ")],
    async run(ctx) {
      const path = ctx.values.file as string | undefined;
      if (!path) throw new UsageError("-f FILE is required");
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        throw new UsageError(`${path}: no such file`);
      }
      const vars = parseDotenv(text);
      if (Object.keys(vars).length === 0) throw new Error(`${path}: no variables found`);
      await setVars(ctx, vars);
    },
  },
];
