import type { Verb } from "../verb.ts";
import { accessVerbs } from "./access.ts";
import { apply, exportVerb } from "./apply.ts";
import { backupVerbs } from "./backup.ts";
import { buildVerbs } from "./builds.ts";
import { certVerbs } from "./certs.ts";
import { deployVerbs } from "./deploy.ts";
import { edge } from "./edge.ts";
import { init } from "./init.ts";
import { jobVerbs } from "./jobs.ts";
import { execVerb } from "./exec.ts";
import { login } from "./login.ts";
import { logsVerb } from "./logs.ts";
import { metaVerbs } from "./meta.ts";
import { pipelineVerbs } from "./pipeline.ts";
import { notifyVerbs } from "./notify.ts";
import { metricsVerbs } from "./metrics.ts";
import { projectVerbs } from "./projects.ts";
import { migrate, resetOwner, serve } from "./serve.ts";
import { tokenVerbs } from "./tokens.ts";
import { tuiVerb } from "./tui.ts";
import { upgradeVerb } from "./upgrade.ts";
import { varVerbs } from "./vars.ts";
import { webhookVerbs } from "./webhooks.ts";
import { versionVerb } from "./version.ts";

/** Every verb, in the order `berth --help` lists them. */
export const VERBS: Verb[] = [serve, edge, migrate, login, init, apply, exportVerb, ...projectVerbs, ...varVerbs, ...buildVerbs, ...deployVerbs, ...pipelineVerbs, ...jobVerbs, logsVerb, ...metricsVerbs, ...webhookVerbs, execVerb, tuiVerb, ...accessVerbs, ...notifyVerbs, ...certVerbs, ...tokenVerbs, resetOwner, ...backupVerbs, upgradeVerb, versionVerb, ...metaVerbs];
