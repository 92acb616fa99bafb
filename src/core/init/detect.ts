import { exportProjectFile } from "../project-file/export.ts";
import type { BlockSpec } from "../project-file/schema.ts";
import { DNS_LABEL } from "../names.ts";
import { cronPattern } from "../project-file/fields.ts";
import { cronSchedule, parseAppJson, type AppManifest } from "./app-json.ts";
import { parseCompose } from "./compose.ts";
import { detectBuild, type BuildPlan } from "./presets.ts";
import { parseProcfile, type Process } from "./procfile.ts";
import { gitSource, type GitSource } from "./source.ts";
import { Decisions, type InitInput, type InitResult } from "./types.ts";

/** Compose files in the order Docker Compose looks for them. */
const COMPOSE_FILES = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"] as const;

/** The files `berth init` reads, by name, at the top of the folder; nothing else is opened. */
export const INIT_FILES = [
  "Dockerfile", "Procfile", "app.json", "package.json", "bun.lockb", "bun.lock", "requirements.txt", "pyproject.toml",
  ".python-version", "runtime.txt", "go.mod", "Gemfile", "composer.json", "index.html",
  ...COMPOSE_FILES,
] as const;
/** Files whose contents detection never reads (binary lockfiles): only their presence counts. */
export const PRESENCE_ONLY = ["bun.lockb", "index.html"] as const;
/** Each file is read up to this size; a bigger one is noted and skipped. */
export const MAX_INIT_FILE_BYTES = 256 * 1024;

const ENV = "dev";

/** A DNS label from any name: lowercase, runs of other characters as '-', trimmed to `max`. */
export function toLabel(name: string, max = 40): string | undefined {
  const label = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, max).replace(/^-+|-+$/g, "");
  return DNS_LABEL.test(label) ? label : undefined;
}

function projectName(input: InitInput, manifest: AppManifest | undefined, d: Decisions): string {
  const candidates: [string | undefined, string][] = [
    [input.name, "--name"],
    [manifest?.name, "app.json's name"],
    [input.dirName, "the folder's name"],
  ];
  for (const [raw, origin] of candidates) {
    if (raw === undefined) continue;
    const label = toLabel(raw);
    if (label) {
      d.add("project", label, label === raw ? `from ${origin}` : `from ${origin} (${JSON.stringify(raw)}), made a DNS label`);
      return label;
    }
  }
  d.todo("project", "app", "no usable name (a DNS label of letters, digits and '-'): pass --name");
  return "app";
}

interface Shared {
  git: GitSource;
  plan: BuildPlan;
  env: Record<string, string>;
}

/** A block that runs the shared build; Procfile processes get its command instead of the image's. */
function appBlock(kind: BlockSpec["kind"], shared: Shared, extra: Partial<BlockSpec> = {}): BlockSpec {
  const block: BlockSpec = { kind, git: { ...shared.git } };
  if (shared.plan.build) block.build = { ...shared.plan.build };
  if (Object.keys(shared.env).length > 0) block.env = { ...shared.env };
  return { ...block, ...extra };
}

function uniqueName(wanted: string, taken: Record<string, unknown>): string {
  if (!(wanted in taken)) return wanted;
  for (let i = 2; ; i++) if (!(`${wanted}-${i}` in taken)) return `${wanted}-${i}`;
}

function processBlocks(processes: Process[], shared: Shared, blocks: Record<string, BlockSpec>, d: Decisions) {
  // The start command belongs to the process, not the image, so every process shares one build.
  if (shared.plan.build?.start) delete shared.plan.build.start;
  for (const { type, command } of processes) {
    const label = toLabel(type);
    if (!label) {
      d.todo(`Procfile ${type}`, "skipped", "the process type cannot be a block name (a DNS label): add it by hand");
      continue;
    }
    const name = uniqueName(label, blocks);
    if (type === "web") {
      blocks[name] = appBlock("website", shared, { port: shared.plan.port, command });
      d.add(`blocks.${name}`, `website on port ${shared.plan.port}, command from the Procfile`, "the `web` process takes HTTP traffic on $PORT, which Berth sets to the block's port");
    } else if (type === "release") {
      blocks[name] = appBlock("job", shared, { command, trigger: "pre-deploy" });
      d.add(`blocks.${name}`, "job, trigger: pre-deploy", "the `release` process runs before each release; a failure stops the deploy");
    } else {
      blocks[name] = appBlock("worker", shared, { command });
      d.add(`blocks.${name}`, "worker", `the \`${type}\` process has no port: a long-running process`);
    }
  }
  if (!processes.some((p) => p.type === "web")) d.add("blocks", "no website", "the Procfile has no `web` process");
}

function singleBlock(shared: Shared, blocks: Record<string, BlockSpec>, d: Decisions) {
  blocks.web = appBlock("website", shared, { port: shared.plan.port });
  if (shared.plan.servesFolder) d.add("blocks.web", `website serving the folder's files on port ${shared.plan.port}`, `from ${shared.plan.from}`);
  else d.add("blocks.web", `website on port ${shared.plan.port}`, "one app and no Procfile: a public website (make it `kind: microservice` for an API behind the gateway)");
}

function manifestBlocks(manifest: AppManifest, project: string, shared: Shared, blocks: Record<string, BlockSpec>, d: Decisions) {
  const jobs: [string, string, BlockSpec["trigger"], string][] = [];
  if (manifest.predeploy) jobs.push(["predeploy", manifest.predeploy, "pre-deploy", "app.json scripts.dokku.predeploy runs before each release"]);
  if (manifest.postdeploy) jobs.push(["postdeploy", manifest.postdeploy, "post-deploy", "app.json scripts.dokku.postdeploy runs after each release"]);
  if (manifest.herokuPostdeploy) jobs.push(["setup", manifest.herokuPostdeploy, "manual", "app.json scripts.postdeploy runs once on a new Heroku review app: here a job you run when needed"]);
  for (const [wanted, command, trigger, why] of jobs) {
    const name = uniqueName(wanted, blocks);
    blocks[name] = appBlock("job", shared, { command, trigger });
    d.add(`blocks.${name}`, `job, trigger: ${trigger}`, why);
  }
  manifest.cron.forEach(({ command, schedule }, i) => {
    const name = uniqueName(`cron-${i + 1}`, blocks);
    const pattern = cronSchedule(schedule);
    if (!cronPattern.safeParse(pattern).success) {
      d.todo(`app.json cron[${i}]`, "skipped", `schedule ${JSON.stringify(schedule)} is not a 5-field pattern or an @macro: add the job by hand`);
      return;
    }
    blocks[name] = appBlock("job", shared, { command, schedule: pattern });
    d.add(`blocks.${name}`, `job, schedule: "${pattern}"`, `app.json cron entry ${i + 1}`);
  });
  for (const [type, path] of Object.entries(manifest.health)) {
    const name = toLabel(type) ?? type;
    const block = blocks[name];
    if (block && (block.kind === "website" || block.kind === "microservice")) {
      block.health = path;
      d.add(`blocks.${name}.health`, path, `app.json healthchecks.${type}`);
    } else d.add(`app.json healthchecks.${type}`, "not used", "only blocks with a port take an HTTP health check");
  }
  for (const [type, quantity] of Object.entries(manifest.formation)) {
    const name = toLabel(type) ?? type;
    const block = blocks[name];
    if (block && (block.kind === "website" || block.kind === "worker" || block.kind === "microservice")) {
      block.replicas = quantity;
      d.add(`blocks.${name}.replicas`, String(quantity), `app.json formation.${type}.quantity`);
    }
  }
  for (const variable of manifest.env) {
    if (variable.value !== undefined) continue;
    const targets = Object.keys(blocks).filter((n) => blocks[n]!.git);
    const how = `berth vars set ${project} ${ENV} BLOCK ${variable.name}${variable.secret ? " --secret" : ""} for each block that needs it (${targets.join(", ")})`;
    if (variable.required) d.todo(`env ${variable.name}`, "not in the file", `required by app.json${variable.description ? ` (${variable.description})` : ""}${variable.secret ? "; a generated secret" : ""}: ${how}`);
    else d.add(`env ${variable.name}`, "not in the file", `optional in app.json and without a value; set it with: ${how}`);
  }
  for (const line of manifest.ignored) d.add(`app.json ${line.split(":")[0]}`, "not used", line.slice(line.indexOf(":") + 1).trim());
}

function composeBlocks(text: string, file: string, project: string, blocks: Record<string, BlockSpec>, d: Decisions) {
  const compose = parseCompose(text);
  if (!compose) {
    d.todo(file, "not read", "not a compose file with `services`");
    return;
  }
  for (const service of compose.services) {
    const name = uniqueName(toLabel(service.name) ?? service.kind, blocks);
    blocks[name] = {
      kind: "service",
      image: service.image,
      port: service.port,
      volumes: { [service.dataPath]: "1Gi" },
      ...(Object.keys(service.env).length > 0 ? { env: service.env } : {}),
    };
    d.add(`blocks.${name}`, `service from ${service.image}, port ${service.port}, volume ${service.dataPath}`, `${file} service "${service.name}"; other blocks reach it as ${service.connection.replaceAll("NAME", name)}`);
    for (const secret of service.secrets) {
      d.todo(`env ${secret}`, "not in the file", `${file} sets it for "${service.name}" and it is a secret or comes from the shell: berth vars set ${project} ${ENV} ${name} ${secret} --secret`);
    }
  }
  for (const built of compose.built) d.add(`${file} service "${built}"`, "covered by the app's blocks", "it builds this folder");
  for (const other of compose.unknown) {
    d.todo(`${file} service "${other.name}"`, "not converted", `${other.image ? `image ${other.image} is` : "no image:"} not one Berth knows (postgres, redis, mysql, mariadb, mongo): add a block for it by hand`);
  }
}

/**
 * A berth.yaml for a folder, from its files alone (a pure function: no disk, no network), and
 * every decision taken on the way. Written for `dev`; generated jobs are accepted by apply.
 */
export function detectProject(input: InitInput): InitResult {
  const d = new Decisions();
  const files = input.files;
  for (const name of input.oversized ?? []) d.todo(name, "not read", `larger than ${MAX_INIT_FILE_BYTES / 1024} KB`);
  const manifest = files["app.json"] === undefined ? undefined : parseAppJson(files["app.json"]);
  if (files["app.json"] !== undefined && !manifest) d.todo("app.json", "not read", "not a JSON object");
  const project = projectName(input, manifest, d);
  const git = gitSource(input.git, d);
  const plan = detectBuild(input, d);
  const env: Record<string, string> = {};
  for (const variable of manifest?.env ?? []) {
    if (variable.value === undefined) continue;
    env[variable.name] = variable.value;
    d.add(`env ${variable.name}`, "in the file", "app.json gives it a value");
  }
  const shared: Shared = { git, plan, env };
  const blocks: Record<string, BlockSpec> = {};

  const procfile = files.Procfile === undefined ? undefined : parseProcfile(files.Procfile);
  if (procfile && procfile.processes.length > 0) processBlocks(procfile.processes, shared, blocks, d);
  else singleBlock(shared, blocks, d);
  for (const line of procfile?.skipped ?? []) d.todo("Procfile", "line skipped", `${JSON.stringify(line)} is not \`type: command\``);

  if (manifest) manifestBlocks(manifest, project, shared, blocks, d);
  const composeFile = COMPOSE_FILES.find((f) => files[f] !== undefined);
  if (composeFile) composeBlocks(files[composeFile]!, composeFile, project, blocks, d);
  if (Object.values(blocks).some((b) => b.kind === "job")) {
    d.add("jobs", "written", "Berth accepts jobs in berth.yaml and keeps them; running them (before, after and on schedule) is still to come, so deploys skip them for now");
  }

  const yaml = render(project, blocks, d);
  return { project, yaml, decisions: d.list };
}

function render(project: string, blocks: Record<string, BlockSpec>, d: Decisions): string {
  const body = exportProjectFile({ project, blocks, environments: { [ENV]: {} } });
  const todos = d.list.filter((x) => x.todo);
  const header = [
    "# Written by `berth init`. Apply it with `berth apply -f berth.yaml`,",
    `# then deploy with \`berth deploy ${project} ${ENV} --wait\`.`,
  ];
  if (todos.length > 0) {
    header.push("# To fill in:");
    for (const t of todos) header.push(`#   ${t.subject}: ${t.why}`.replace(/\s*\n\s*/g, " "));
  }
  return `${header.join("\n")}\n${body}`;
}
