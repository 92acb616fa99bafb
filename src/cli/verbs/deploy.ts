import { unwrap, type Client } from "../../client/index.ts";
import { followLog } from "../follow.ts";
import type { ReleaseRecord } from "../../ports/release-store.ts";
import { json, table } from "../output.ts";
import type { Verb } from "../verb.ts";

const followRelease = (client: Client, id: number, out: (line: string) => void) =>
  followLog<ReleaseRecord>(
    client.releases[":id"].log.stream.$get({ param: { id: String(id) } }),
    () => unwrap(client.releases[":id"].$get({ param: { id: String(id) } })),
    out,
  );

export const deployVerbs: Verb[] = [
  {
    name: "deploy",
    summary: "Build what changed, create a release and roll it out",
    args: "PROJECT ENV",
    options: { wait: { type: "boolean", short: "w" } },
    optionHelp: ["-w, --wait   follow the rollout and exit non-zero if it fails"],
    async run({ args, values, client, out, err }) {
      const api = await client();
      const param = { project: args[0]!, env: args[1]! };
      const release = await unwrap(api.projects[":project"].environments[":env"].deploys.$post({ param }));
      if (!values.wait) return out(`release ${release.number} of ${param.project}/${param.env} started (berth status ${param.project} ${param.env})`);
      const ended = await followRelease(api, release.id, out);
      if (ended.status === "deployed") return 0;
      err(`error: release ${ended.number} failed: ${ended.reason}`);
      return 1;
    },
  },
  {
    name: "status",
    summary: "Each block of an environment: state, replicas, image and URL",
    args: "PROJECT ENV",
    options: { json: { type: "boolean" } },
    async run({ args, values, client, out }) {
      const status = await unwrap((await client()).projects[":project"].environments[":env"].status.$get({ param: { project: args[0]!, env: args[1]! } }));
      if (values.json) return out(json(status));
      const release = status.release ? `release ${status.release.number}: ${status.release.status}${status.release.reason ? ` (${status.release.reason})` : ""}` : "never deployed";
      out(`${status.project}/${status.environment}: ${release}`);
      out(
        table(
          ["BLOCK", "KIND", "STATE", "READY", "IMAGE", "URL"],
          status.blocks.map((b) => [b.name, b.kind, b.state, `${b.ready}/${b.wanted}`, b.image?.replace(/^sha256:/, "").slice(0, 12), b.url ?? (b.internal ? `internal ${b.internal}` : null)]),
        ),
      );
      // What a crash left behind, so nobody has to go and find the container's log.
      for (const b of status.blocks.filter((b) => b.lastLog.length)) {
        out(`${b.name}: ${b.state === "crashloop" ? "crash loop" : "crashed"}, restarted ${b.restarts} time(s); last log lines:`);
        for (const line of b.lastLog) out(`  ${line}`);
      }
    },
  },
  {
    name: "releases",
    summary: "List an environment's releases",
    args: "PROJECT ENV",
    options: { json: { type: "boolean" } },
    async run({ args, values, client, out }) {
      const { releases } = await unwrap((await client()).projects[":project"].environments[":env"].releases.$get({ param: { project: args[0]!, env: args[1]! } }));
      if (values.json) return out(json(releases));
      out(table(["RELEASE", "STATUS", "BLOCKS", "CREATED", "REASON"], releases.map((r) => [r.number, r.status, r.blocks.map((b) => b.name).join(","), r.createdAt, r.reason])));
    },
  },
];
