import { unwrap, type Client } from "../../client/index.ts";
import { followLog } from "../follow.ts";
import type { ReleaseRecord } from "../../ports/release-store.ts";
import { ago, colourState, json, table } from "../output.ts";
import type { Verb } from "../verb.ts";

const followRelease = (client: Client, id: number, out: (line: string) => void) =>
  followLog<ReleaseRecord>(
    client.releases[":id"].log.stream.$get({ param: { id: String(id) } }),
    () => unwrap(client.releases[":id"].$get({ param: { id: String(id) } })),
    out,
  );

const statusOf = (client: Client, project: string, env: string) =>
  unwrap(client.projects[":project"].environments[":env"].status.$get({ param: { project, env } }));

export const deployVerbs: Verb[] = [
  {
    name: "deploy",
    summary: "Build what changed, create a release, roll it out and follow it",
    args: "PROJECT ENV",
    options: { detach: { type: "boolean", short: "d" }, wait: { type: "boolean", short: "w" } },
    optionHelp: [
      "-d, --detach   start the release and return at once (default: follow the rollout, exit non-zero if it fails)",
      "-w, --wait     follow the rollout (the default; kept for scripts)",
    ],
    async run({ args, values, client, out, err }) {
      const api = await client();
      const param = { project: args[0]!, env: args[1]! };
      const release = await unwrap(api.projects[":project"].environments[":env"].deploys.$post({ param }));
      if (values.detach) return out(`release ${release.number} of ${param.project}/${param.env} started (berth status ${param.project} ${param.env})`);
      const ended = await followRelease(api, release.id, out);
      if (ended.status !== "deployed") {
        err(`error: release ${ended.number} failed: ${ended.reason}`);
        return 1;
      }
      const urls = (await statusOf(api, param.project, param.env)).blocks.filter((b) => b.url);
      for (const block of urls) out(`  ${block.name}: ${block.url}`);
      return 0;
    },
  },
  {
    name: "status",
    summary: "Each block of an environment: state, replicas, image and URL",
    args: "PROJECT ENV",
    options: { json: { type: "boolean" } },
    async run({ args, values, client, out, paint }) {
      const status = await statusOf(await client(), args[0]!, args[1]!);
      if (values.json) return out(json(status));
      const release = status.release ? `release ${status.release.number}: ${colourState(paint, status.release.status)}${status.release.reason ? ` (${status.release.reason})` : ""}` : "never deployed";
      out(`${status.project}/${status.environment}: ${release}`);
      out(
        table(
          ["BLOCK", "KIND", "STATE", "READY", "IMAGE", "URL"],
          status.blocks.map((b) => [b.name, b.kind, colourState(paint, b.state), `${b.ready}/${b.wanted}`, b.image?.replace(/^sha256:/, "").slice(0, 12), b.url ?? (b.internal ? `internal ${b.internal}` : null)]),
        ),
      );
    },
  },
  {
    name: "releases",
    summary: "List an environment's releases",
    args: "PROJECT ENV",
    options: { json: { type: "boolean" } },
    async run({ args, values, client, out, paint }) {
      const { releases } = await unwrap((await client()).projects[":project"].environments[":env"].releases.$get({ param: { project: args[0]!, env: args[1]! } }));
      if (values.json) return out(json(releases));
      out(table(["RELEASE", "STATUS", "BLOCKS", "CREATED", "REASON"], releases.map((r) => [r.number, colourState(paint, r.status), r.blocks.map((b) => b.name).join(","), ago(r.createdAt), r.reason])));
    },
  },
];
