import { unwrap, type Client } from "../../client/index.ts";
import { diffLines, type Diff } from "../../core/deploy/diff.ts";
import type { ReleaseRecord } from "../../ports/release-store.ts";
import { colourState, json, table } from "../output.ts";
import { UsageError, type Verb, type VerbContext } from "../verb.ts";
import { followFlags, followOrDetach, followRelease } from "./deploy.ts";

const releaseNumber = (text: string | undefined, what = "release number") => {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(text)) throw new UsageError(`not a ${what}: ${text}`);
  return Number(text);
};

const jsonFlag = { json: { type: "boolean" } } as const;

/** `--json`: the finished release as JSON (exit 1 if it failed); otherwise the rollout as `deploy` shows it. */
async function finish(ctx: VerbContext, api: Client, release: ReleaseRecord): Promise<number> {
  if (!ctx.values.json) return followOrDetach(ctx, api, release);
  const ended = ctx.values.detach ? release : await followRelease(api, release.id, () => {});
  ctx.out(json(ended));
  return ended.status === "failed" ? 1 : 0;
}

const byNumber = async (api: Client, args: string[]) =>
  unwrap(api.projects[":project"].environments[":env"].releases[":number"].$get({ param: { project: args[0]!, env: args[1]!, number: String(releaseNumber(args[2])) } }));

const printDiff = (ctx: VerbContext, diff: Diff) => (ctx.values.json ? ctx.out(json(diff)) : diffLines(diff).forEach((line) => ctx.out(line)));

export const pipelineVerbs: Verb[] = [
  {
    name: "release show",
    summary: "One release of an environment: source, who started it, and each block's image, commit and config fingerprint",
    args: "PROJECT ENV N",
    options: jsonFlag,
    async run({ args, values, client, out, paint }) {
      const release = await byNumber(await client(), args);
      if (values.json) return out(json(release));
      out(`release ${release.number} of ${release.project}/${release.environment}: ${colourState(paint, release.status)}${release.reason ? ` (${release.reason})` : ""}`);
      out(`source: ${release.source}${release.actor ? `, by ${release.actor}` : ""}; created ${release.createdAt}${release.finishedAt ? `, finished ${release.finishedAt}` : ""}`);
      out(table(["BLOCK", "IMAGE", "COMMIT", "CONFIG"], release.blocks.map((b) => [b.name, b.imageId.replace(/^sha256:/, "").slice(0, 12), b.commit?.slice(0, 7), b.fingerprint])));
    },
  },
  {
    name: "release log",
    summary: "A release's rollout log; -f follows it until the release finishes (re-attach after Ctrl-C)",
    args: "PROJECT ENV N",
    options: { follow: { type: "boolean", short: "f" } },
    optionHelp: ["-f, --follow   keep printing new lines until the release has finished"],
    async run({ args, values, client, out }) {
      const api = await client();
      const release = await byNumber(api, args);
      if (values.follow) {
        await followRelease(api, release.id, out);
        return;
      }
      const { lines } = await unwrap(api.releases[":id"].log.$get({ param: { id: String(release.id) } }));
      for (const line of lines) out(line);
    },
  },
  {
    name: "promote",
    summary: "Deploy into TO the images FROM's live release runs (no build), with TO's own variables, overrides, replicas and domains",
    args: "PROJECT FROM TO",
    options: { ...followFlags.options, ...jsonFlag, block: { type: "string", multiple: true }, "dry-run": { type: "boolean" } },
    optionHelp: [
      "--block B      promote only this block (repeatable); the others keep TO's live images",
      "--dry-run      show what the promote would change, change nothing",
      ...followFlags.optionHelp!,
      "--json         print the diff (--dry-run) or the finished release as JSON",
    ],
    async run(ctx) {
      const [project, from, to] = ctx.args as [string, string, string];
      const api = await ctx.client();
      const blocks = (ctx.values.block as string[] | undefined) ?? [];
      const dryRun = Boolean(ctx.values["dry-run"]);
      const result = await unwrap(api.projects[":project"].environments[":env"].promote.$post({ param: { project, env: to }, json: { from, blocks, dryRun } }));
      if (dryRun || !result.release) return printDiff(ctx, result.diff);
      if (!ctx.values.json) diffLines(result.diff).forEach((line) => ctx.out(line));
      return finish(ctx, api, result.release);
    },
  },
  {
    name: "diff",
    summary: "What `deploy` would change in an environment: commits (with subjects), images, variable names, settings",
    args: "PROJECT ENV",
    options: jsonFlag,
    async run(ctx) {
      const diff = await unwrap((await ctx.client()).projects[":project"].environments[":env"].diff.$get({ param: { project: ctx.args[0]!, env: ctx.args[1]! } }));
      printDiff(ctx, diff);
    },
  },
  {
    name: "rollback",
    summary: "Roll back with zero downtime to an earlier release's images (default: the one before the live one), as a new release",
    args: "PROJECT ENV",
    options: { ...followFlags.options, ...jsonFlag, to: { type: "string" }, "with-config-of": { type: "string" } },
    optionHelp: [
      "--to N               the release whose images to run again",
      "--with-config-of N   run with release N's recorded variables instead of today's",
      ...followFlags.optionHelp!,
      "--json               print the finished release as JSON",
    ],
    async run(ctx) {
      const api = await ctx.client();
      const body = { to: releaseNumber(ctx.values.to as string | undefined), withConfigOf: releaseNumber(ctx.values["with-config-of"] as string | undefined) };
      const release = await unwrap(api.projects[":project"].environments[":env"].rollback.$post({ param: { project: ctx.args[0]!, env: ctx.args[1]! }, json: body }));
      if (!ctx.values.json) ctx.out(`release ${release.number}: ${release.source}`);
      return finish(ctx, api, release);
    },
  },
  {
    name: "env stop",
    summary: "Stop an environment: its containers go, volumes and releases stay, the edge answers 503",
    args: "PROJECT ENV",
    options: jsonFlag,
    async run({ args, values, client, out }) {
      const result = await unwrap((await client()).projects[":project"].environments[":env"].stop.$post({ param: { project: args[0]!, env: args[1]! } }));
      if (values.json) return out(json(result));
      out(`stopped ${args[0]}/${args[1]} (volumes kept); berth env start ${args[0]} ${args[1]} brings its live release back`);
    },
  },
  {
    name: "env start",
    summary: "Start a stopped environment: its live release's images again, no build",
    args: "PROJECT ENV",
    options: { ...followFlags.options, ...jsonFlag },
    optionHelp: [...followFlags.optionHelp!, "--json   print the finished release as JSON"],
    async run(ctx) {
      const api = await ctx.client();
      return finish(ctx, api, await unwrap(api.projects[":project"].environments[":env"].start.$post({ param: { project: ctx.args[0]!, env: ctx.args[1]! } })));
    },
  },
];
