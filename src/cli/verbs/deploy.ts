import { unwrap, type Client } from "../../client/index.ts";
import { followLog } from "../follow.ts";
import type { ReleaseRecord } from "../../ports/release-store.ts";
import { ago, colourState, json, table } from "../output.ts";
import { UsageError, type Verb, type VerbContext } from "../verb.ts";

export const followRelease = (client: Client, id: number, out: (line: string) => void) =>
  followLog<ReleaseRecord>(
    client.releases[":id"].log.stream.$get({ param: { id: String(id) } }),
    () => unwrap(client.releases[":id"].$get({ param: { id: String(id) } })),
    out,
  );

const statusOf = (client: Client, project: string, env: string) =>
  unwrap(client.projects[":project"].environments[":env"].status.$get({ param: { project, env } }));

export const followFlags: Pick<Verb, "options" | "optionHelp"> = {
  options: { detach: { type: "boolean", short: "d" }, wait: { type: "boolean", short: "w" } },
  optionHelp: [
    "-d, --detach   start the release and return at once (default: follow the rollout, exit non-zero if it fails)",
    "-w, --wait     follow the rollout (the default; kept for scripts)",
  ],
};

/** Follows a release the way `deploy` does: its log, then the URLs, or the reason it failed. */
export async function followOrDetach(ctx: VerbContext, api: Client, release: ReleaseRecord): Promise<number> {
  const { values, out, err } = ctx;
  if (values.detach) {
    out(`release ${release.number} of ${release.project}/${release.environment} started (berth status ${release.project} ${release.environment})`);
    return 0;
  }
  const ended = await followRelease(api, release.id, out);
  if (ended.status !== "deployed") {
    err(`error: release ${ended.number} failed: ${ended.reason}`);
    return 1;
  }
  for (const warning of ended.warnings ?? []) err(`warning: ${warning}`);
  const urls = (await statusOf(api, release.project, release.environment)).blocks.filter((b) => b.url);
  for (const block of urls) out(`  ${block.name}: ${block.url}`);
  return 0;
}

/** "web=3" → ["web", 3]. */
function replicaArg(text: string): [string, number] {
  const match = /^([a-z0-9-]+)=(\d{1,3})$/.exec(text);
  if (!match) throw new UsageError(`expected BLOCK=N (such as web=3), got ${JSON.stringify(text)}`);
  return [match[1]!, Number(match[2])];
}

/** The releases table: the live one marked. */
export const releaseRows = (releases: ReleaseRecord[], live: number | null, paint: VerbContext["paint"]) =>
  table(
    ["RELEASE", "STATUS", "LIVE", "SOURCE", "BY", "CREATED", "REASON"],
    releases.map((r) => [r.number, colourState(paint, r.status), r.number === live ? "*" : "", r.source, r.actor, ago(r.createdAt), r.reason ?? (r.warnings.length ? `warning: ${r.warnings.join("; ")}` : null)]),
  );

export const deployVerbs: Verb[] = [
  {
    name: "deploy",
    summary: "Build what changed, create a release, roll it out and follow it",
    args: "PROJECT ENV",
    options: { ...followFlags.options, "allow-major": { type: "boolean" } },
    optionHelp: [...followFlags.optionHelp!, "--allow-major  let a catalog service move to a new major version (back it up first)"],
    async run(ctx) {
      const api = await ctx.client();
      const param = { project: ctx.args[0]!, env: ctx.args[1]! };
      const query = ctx.values["allow-major"] ? { allowMajor: "true" as const } : {};
      return followOrDetach(ctx, api, await unwrap(api.projects[":project"].environments[":env"].deploys.$post({ param, query })));
    },
  },
  {
    name: "restart",
    summary: "Restart an environment's blocks (or the one named) with zero downtime, from the live release's images",
    args: "PROJECT ENV [BLOCK]",
    minArgs: 2,
    variadic: true,
    ...followFlags,
    async run(ctx) {
      const api = await ctx.client();
      const param = { project: ctx.args[0]!, env: ctx.args[1]! };
      const release = await unwrap(api.projects[":project"].environments[":env"].restart.$post({ param, json: { blocks: ctx.args.slice(2) } }));
      return followOrDetach(ctx, api, release);
    },
  },
  {
    name: "scale",
    summary: "Set how many replicas blocks run (kept for later deploys) and roll it out from the live images",
    args: "PROJECT ENV BLOCK=N…",
    minArgs: 3,
    variadic: true,
    ...followFlags,
    async run(ctx) {
      const replicas = Object.fromEntries(ctx.args.slice(2).map(replicaArg));
      const api = await ctx.client();
      const param = { project: ctx.args[0]!, env: ctx.args[1]! };
      return followOrDetach(ctx, api, await unwrap(api.projects[":project"].environments[":env"].scale.$post({ param, json: { replicas } })));
    },
  },
  {
    name: "status",
    summary: "Each block of an environment: state, replicas, image and URL",
    args: "PROJECT ENV",
    options: { json: { type: "boolean" } },
    async run({ args, values, client, out, paint }) {
      const api = await client();
      const status = await statusOf(api, args[0]!, args[1]!);
      const { jobs } = await unwrap(api.projects[":project"].environments[":env"].jobs.$get({ param: { project: args[0]!, env: args[1]! } }));
      if (values.json) return out(json({ ...status, jobs }));
      const release = status.release ? `release ${status.release.number} (${status.release.source}): ${colourState(paint, status.release.status)}${status.release.reason ? ` (${status.release.reason})` : ""}` : "never deployed";
      out(`${status.project}/${status.environment}: ${status.stopped ? `${colourState(paint, "stopped")} since ${status.stoppedAt}; ` : ""}${release}`);
      for (const warning of status.release?.warnings ?? []) out(`warning: ${warning}`);
      out(
        table(
          ["BLOCK", "KIND", "STATE", "READY", "IMAGE", "URL"],
          status.blocks.map((b) => [b.name, b.kind, colourState(paint, b.state), `${b.ready}/${b.wanted}`, b.image?.replace(/^sha256:/, "").slice(0, 12), b.url ?? (b.internal ? `internal ${b.internal}` : null)]),
        ),
      );
      for (const warning of status.warnings) out(paint(`warning: ${warning}`, "yellow"));
      // What a crash left behind, so nobody has to go and find the container's log.
      for (const b of status.blocks.filter((b) => b.configChangedSince !== null)) {
        out(`${b.name}: config changed since release ${b.configChangedSince}; berth deploy ${status.project} ${status.environment} rolls it out`);
      }
      for (const b of status.blocks.filter((b) => b.lastLog.length)) {
        out(`${b.name}: ${b.state === "crashloop" ? "crash loop" : "crashed"}, restarted ${b.restarts} time(s); last log lines:`);
        for (const line of b.lastLog) out(`  ${line}`);
      }
      if (jobs.length === 0) return;
      out("");
      out(
        table(
          ["JOB", "TRIGGER", "SCHEDULE", "NEXT RUN", "LAST RUN"],
          jobs.map((j) => [j.name, j.trigger, j.schedule && `${j.schedule} (${j.timezone})`, j.nextRun, j.lastRun && `#${j.lastRun.id} ${colourState(paint, j.lastRun.status)} ${ago(j.lastRun.finishedAt) ?? ""}`.trim()]),
        ),
      );
    },
  },
  {
    name: "releases",
    summary: "List an environment's releases, newest first; * marks the live one",
    args: "PROJECT ENV",
    options: { json: { type: "boolean" } },
    async run({ args, values, client, out, paint }) {
      const { releases, live } = await unwrap((await client()).projects[":project"].environments[":env"].releases.$get({ param: { project: args[0]!, env: args[1]! } }));
      if (values.json) return out(json(releases));
      out(releaseRows(releases, live, paint));
    },
  },
];
