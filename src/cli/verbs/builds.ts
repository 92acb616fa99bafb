import { readFileSync } from "node:fs";
import type { Client } from "../../client/index.ts";
import { ApiError, unwrap } from "../../client/index.ts";
import { followLog } from "../follow.ts";
import type { BuildRecord } from "../../ports/build-store.ts";
import { ago, colourState, json, table } from "../output.ts";
import { UsageError, type Verb } from "../verb.ts";

const followBuild = (client: Client, id: number, out: (line: string) => void) =>
  followLog<BuildRecord>(
    client.builds[":id"].log.stream.$get({ param: { id: String(id) } }),
    () => unwrap(client.builds[":id"].$get({ param: { id: String(id) } })),
    out,
  );

const buildId = (text: string) => {
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`not a build id: ${text}`);
  return text;
};

export const buildVerbs: Verb[] = [
  {
    name: "build cancel",
    summary: "Cancel a queued or running build",
    args: "ID",
    async run({ args, client, out }) {
      const build = await unwrap((await client()).builds[":id"].cancel.$post({ param: { id: buildId(args[0]!) } }));
      out(`build #${build.id}: ${build.status}`);
    },
  },
  {
    name: "build",
    summary: "Build a block's image from git and follow its log",
    args: "PROJECT BLOCK",
    options: { env: { type: "string" }, ref: { type: "string" }, detach: { type: "boolean", short: "d" } },
    optionHelp: [
      "--env ENV       use that environment's config and ref (default: the first environment)",
      "--ref REF       branch, tag or commit to build instead",
      "-d, --detach    print the build id and return at once",
    ],
    async run({ args, values, client, out, err }) {
      const api = await client();
      const build = await unwrap(
        api.projects[":project"].blocks[":block"].builds.$post({
          param: { project: args[0]!, block: args[1]! },
          json: { environment: values.env as string | undefined, ref: values.ref as string | undefined },
        }),
      );
      if (values.detach) return out(String(build.id));
      const ended = await followBuild(api, build.id, out);
      if (ended.status === "succeeded") return 0;
      err(`error: build #${ended.id} ${ended.status}: ${ended.reason}`);
      return 1;
    },
  },
  {
    name: "builds",
    summary: "List a project's recent builds",
    args: "PROJECT",
    options: { json: { type: "boolean" } },
    async run({ args, values, client, out, paint }) {
      const { builds } = await unwrap((await client()).projects[":project"].builds.$get({ param: { project: args[0]! } }));
      if (values.json) return out(json(builds));
      out(
        table(
          ["ID", "BLOCK", "ENV", "STATUS", "COMMIT", "CACHED", "CREATED", "REASON"],
          builds.map((b) => [b.id, b.block, b.environment, colourState(paint, b.status), b.commit?.slice(0, 12), b.cacheHit ? "yes" : "no", ago(b.createdAt), b.reason]),
        ),
      );
    },
  },
  {
    name: "block key",
    summary: "Print the block's SSH deploy key (created on first use) to add to the git host",
    args: "PROJECT BLOCK",
    options: { rotate: { type: "boolean" } },
    optionHelp: ["--rotate   replace the key with a new one"],
    async run({ args, values, client, out }) {
      const route = (await client()).projects[":project"].blocks[":block"]["deploy-key"];
      const param = { project: args[0]!, block: args[1]! };
      const create = () => unwrap(route.$post({ param, query: { rotate: values.rotate ? "true" : "false" } }));
      // A read never creates the key: a viewer reads it; making it on first use is a write.
      const read = () => unwrap(route.$get({ param })).catch((error) => (error instanceof ApiError && error.code === "not_found" && /no deploy key/.test(error.message) ? create() : Promise.reject(error)));
      const { publicKey } = await (values.rotate ? create() : read());
      out(publicKey.trim());
    },
  },
  {
    name: "block git-token",
    summary: "Set the HTTPS token for the block's repository, read from stdin (--remove to drop it)",
    args: "PROJECT BLOCK",
    options: { remove: { type: "boolean" } },
    optionHelp: ["--remove   forget the token"],
    async run({ args, values, client, out }) {
      const token = values.remove ? null : readFileSync(0, "utf8").trim();
      if (token === "") throw new UsageError("no token on stdin (pipe it in: it must not show in ps or shell history)");
      const route = (await client()).projects[":project"].blocks[":block"]["git-token"];
      await unwrap(route.$put({ param: { project: args[0]!, block: args[1]! }, json: { token } }));
      out(token === null ? "token removed" : "token stored (encrypted)");
    },
  },
];
