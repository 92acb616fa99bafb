import { unwrap } from "../../client/index.ts";
import { confirmDestructive } from "../confirm.ts";
import { ago, json, table } from "../output.ts";
import { UsageError, type Verb } from "../verb.ts";
import { followOrDetach } from "./deploy.ts";

const jsonFlag = { json: { type: "boolean" } } as const;

export const projectVerbs: Verb[] = [
  {
    name: "project list",
    summary: "List projects",
    options: jsonFlag,
    async run({ values, client, out }) {
      const { projects } = await unwrap((await client()).projects.$get());
      if (values.json) return out(json(projects));
      out(table(["NAME", "BLOCKS", "ENVIRONMENTS", "UPDATED"], projects.map((p) => [p.name, p.blocks, p.environments.join(","), ago(p.updatedAt)])));
    },
  },
  {
    name: "project show",
    summary: "Show a project's blocks and environments",
    args: "PROJECT",
    options: jsonFlag,
    async run({ args, values, client, out }) {
      const project = await unwrap((await client()).projects[":project"].$get({ param: { project: args[0]! } }));
      if (values.json) return out(json(project));
      out(`project ${project.project}`);
      out("");
      out(table(["BLOCK", "KIND", "SOURCE"], Object.entries(project.blocks).map(([name, b]) => [name, b.kind, b.image ?? b.git?.url])));
      out("");
      out(table(["ENVIRONMENT", "REF", "OVERRIDES"], Object.entries(project.environments).map(([name, e]) => [name, e.ref, Object.keys(e.blocks ?? {}).join(",")])));
    },
  },
  {
    name: "project delete",
    summary: "Delete a project: stop what runs and forget it (volumes stay unless --purge-volumes)",
    args: "PROJECT",
    options: { "purge-volumes": { type: "boolean" }, yes: { type: "boolean", short: "y" } },
    optionHelp: ["--purge-volumes   also delete the data volumes of its services"],
    async run(ctx) {
      const { args, values, client, out } = ctx;
      const purgeVolumes = values["purge-volumes"] ? "true" : "false";
      await confirmDestructive(ctx, `This deletes project ${args[0]}: every environment, container and route${values["purge-volumes"] ? " and ALL ITS DATA VOLUMES" : " (data volumes stay)"}.`, args[0]!);
      await unwrap((await client()).projects[":project"].$delete({ param: { project: args[0]! }, query: { purgeVolumes } }));
      out(`deleted project ${args[0]}`);
    },
  },
  {
    name: "env list",
    summary: "List a project's environments",
    args: "PROJECT",
    options: jsonFlag,
    async run({ args, values, client, out }) {
      const { environments } = await unwrap((await client()).projects[":project"].environments.$get({ param: { project: args[0]! } }));
      if (values.json) return out(json(environments));
      out(table(["NAME", "REF", "AUTODEPLOY", "OVERRIDES", "STOPPED"], environments.map((e) => [e.name, e.ref, e.autoDeploy, e.overrides.join(","), e.stopped ? "yes" : ""])));
    },
  },
  {
    name: "env create",
    summary: "Create an environment, empty or a clone of another (--from)",
    args: "PROJECT ENV",
    options: { from: { type: "string" }, deploy: { type: "boolean" }, detach: { type: "boolean", short: "d" } },
    optionHelp: [
      "--from ENV   copy that environment's settings, overrides and variables (never its domains)",
      "--deploy     with --from: run the source's live release images in the new environment at once (a promote, no build)",
      "-d, --detach with --deploy: start the release and return at once",
    ],
    async run(ctx) {
      const { args, values, client, out } = ctx;
      const from = values.from as string | undefined;
      if (values.deploy && !from) throw new UsageError("--deploy needs --from ENV: the environment whose live release to run");
      const api = await client();
      const { domainsNotCopied } = await unwrap(api.projects[":project"].environments.$post({ param: { project: args[0]! }, json: { name: args[1]!, from } }));
      out(`created environment ${args[1]} in ${args[0]}${from ? ` (from ${from})` : ""}`);
      for (const [block, domains] of Object.entries(domainsNotCopied)) {
        out(`  ${block}: domains not copied (a domain belongs to one environment): ${domains.join(", ")}`);
      }
      if (!values.deploy) return;
      const { release } = await unwrap(api.projects[":project"].environments[":env"].promote.$post({ param: { project: args[0]!, env: args[1]! }, json: { from: from!, blocks: [], dryRun: false } }));
      return followOrDetach(ctx, api, release!);
    },
  },
  {
    name: "env delete",
    summary: "Delete an environment: stop what runs (volumes stay unless --purge-volumes)",
    args: "PROJECT ENV",
    options: { "purge-volumes": { type: "boolean" }, yes: { type: "boolean", short: "y" } },
    optionHelp: ["--purge-volumes   also delete the data volumes of its services"],
    async run(ctx) {
      const { args, values, client, out } = ctx;
      const purgeVolumes = values["purge-volumes"] ? "true" : "false";
      await confirmDestructive(ctx, `This deletes environment ${args[1]} of ${args[0]}: its containers and routes${values["purge-volumes"] ? " and ALL ITS DATA VOLUMES" : " (data volumes stay)"}.`, args[1]!);
      await unwrap((await client()).projects[":project"].environments[":env"].$delete({ param: { project: args[0]!, env: args[1]! }, query: { purgeVolumes } }));
      out(`deleted environment ${args[1]} of ${args[0]}`);
    },
  },
  {
    name: "block list",
    summary: "List a project's blocks",
    args: "PROJECT",
    options: jsonFlag,
    async run({ args, values, client, out }) {
      const { blocks } = await unwrap((await client()).projects[":project"].blocks.$get({ param: { project: args[0]! } }));
      if (values.json) return out(json(blocks));
      out(table(["NAME", "KIND", "SOURCE", "PORT"], blocks.map((b) => [b.name, b.kind, b.image ?? b.git?.url, b.port])));
    },
  },
];
