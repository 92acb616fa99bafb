import { unwrap } from "../../client/index.ts";
import type { JobRunRecord } from "../../ports/job-store.ts";
import { confirmDestructive } from "../confirm.ts";
import { followLog } from "../follow.ts";
import { ago, json, table } from "../output.ts";
import type { Verb } from "../verb.ts";
import { followFlags, followOrDetach } from "./deploy.ts";
import { formatBytes } from "../../core/logs/log-cap.ts";

const serviceParam = (args: string[]) => ({ project: args[0]!, env: args[1]!, block: args[2]! });

export const serviceVerbs: Verb[] = [
  {
    name: "catalog",
    summary: "List the service templates: versions, port, exports, backups",
    options: { json: { type: "boolean" } },
    async run({ values, client, out }) {
      const { templates } = await unwrap((await client()).catalog.$get());
      if (values.json) return out(json(templates));
      out(
        table(
          ["TEMPLATE", "VERSION", "SUPPORTED", "PORT", "EXPORTS", "BACKUPS"],
          templates.map((t) => [t.name, t.defaultVersion, t.versions.join(", "), t.port, t.exports.join(", "), t.backups ? "yes" : "no"]),
        ),
      );
    },
  },
  {
    name: "service backup",
    summary: "Back up a catalog service now (a job run) and wait for it",
    args: "PROJECT ENV BLOCK",
    options: { detach: { type: "boolean", short: "d" }, json: { type: "boolean" } },
    optionHelp: ["-d, --detach   start the backup and return at once", "--json         print the run as JSON"],
    async run({ args, values, client, out, err }) {
      const api = await client();
      const run = await unwrap(api.projects[":project"].environments[":env"].services[":block"].backups.$post({ param: serviceParam(args) }));
      if (values.detach) return out(values.json ? json(run) : `backup of ${args[2]} started as job run #${run.id} (berth job log ${run.id} -f)`);
      const ended = await followLog<JobRunRecord>(
        api["job-runs"][":id"].log.stream.$get({ param: { id: String(run.id) } }),
        () => unwrap(api["job-runs"][":id"].$get({ param: { id: String(run.id) } })),
        values.json ? () => {} : out,
      );
      if (values.json) out(json(ended));
      if (ended.status === "succeeded") return 0;
      err(`error: backup of ${args[2]} (job run #${ended.id}) ${ended.status}${ended.reason ? `: ${ended.reason}` : ""}`);
      return 1;
    },
  },
  {
    name: "service backups",
    summary: "List a catalog service's backups, newest first",
    args: "PROJECT ENV BLOCK",
    options: { json: { type: "boolean" } },
    async run({ args, values, client, out }) {
      const { backups } = await unwrap((await client()).projects[":project"].environments[":env"].services[":block"].backups.$get({ param: serviceParam(args) }));
      if (values.json) return out(json(backups));
      out(table(["BACKUP", "TEMPLATE", "VERSION", "SIZE", "SHA256", "TAKEN", "FILE"], backups.map((b) => [b.id, b.template, b.version, formatBytes(b.bytes), b.sha256.slice(0, 16), ago(b.createdAt), b.file])));
    },
  },
  {
    name: "service restore",
    summary: "Restore a backup into a running catalog service (the blocks using it stop meanwhile)",
    args: "PROJECT ENV BLOCK BACKUP",
    options: { yes: { type: "boolean", short: "y" }, json: { type: "boolean" } },
    optionHelp: ["-y, --yes    do not ask (required without a terminal)", "--json       print the result as JSON"],
    async run(ctx) {
      const { args, values, client, out } = ctx;
      await confirmDestructive(ctx, `This replaces the data of ${args[2]} in ${args[0]}/${args[1]} with backup ${args[3]}; what was written since is lost.`, args[2]!);
      const result = await unwrap(
        (await client()).projects[":project"].environments[":env"].services[":block"].restore.$post({ param: serviceParam(args), json: { backup: args[3]! } }),
      );
      if (values.json) return out(json(result));
      out(`restored ${args[2]} from backup ${result.backup.id}${result.stopped.length ? ` (${result.stopped.join(", ")} stopped meanwhile, running again)` : ""}`);
    },
  },
  {
    name: "service rotate-password",
    summary: "Give a catalog service a new generated password; one release restarts it and the blocks using it",
    args: "PROJECT ENV BLOCK",
    ...followFlags,
    async run(ctx) {
      const { args } = ctx;
      const api = await ctx.client();
      const result = await unwrap(api.projects[":project"].environments[":env"].services[":block"]["rotate-password"].$post({ param: serviceParam(args) }));
      ctx.out(`new password stored; release ${result.release.number} restarts ${result.restarted.join(", ")}`);
      return followOrDetach(ctx, api, result.release);
    },
  },
];
