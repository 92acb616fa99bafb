import { PassThrough } from "node:stream";
import type { JobRunRecord } from "../../ports/job-store.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import type { ReleaseBlock, ReleaseRecord, ReleaseStore } from "../../ports/release-store.ts";
import type { Runtime } from "../../ports/runtime.ts";
import type { ServiceBackup, ServiceBackupStore } from "../../ports/service-backups.ts";
import type { Deployments } from "../deploy/deployments.ts";
import { conflict, invalid, notFound } from "../errors.ts";
import type { Jobs } from "../jobs/jobs.ts";
import { formatBytes } from "../logs/log-cap.ts";
import { templateNamed } from "./catalog.ts";
import { referencedBlocks } from "./references.ts";
import type { Template } from "./template-schema.ts";

/** Backups kept per service when its `backup` names no `keep`. */
export const DEFAULT_BACKUPS_KEPT = 7;
/** A dump's bound, as a job's `timeout`. */
const BACKUP_TIMEOUT = "1h";
/** A restore's bound, as the dump's. */
const RESTORE_TIMEOUT_MS = 60 * 60_000;
/** stderr lines of a failed restore quoted in its error. */
const QUOTED_LINES = 3;

export interface BackupDeps {
  projects: Pick<ProjectStore, "loadProject">;
  releases: Pick<ReleaseStore, "currentRelease">;
  runtime: Pick<Runtime, "exec" | "holdBlocks">;
  store: ServiceBackupStore;
  jobs: Pick<Jobs, "startTask" | "wait">;
  exclusively: Deployments["exclusively"];
}

/** The job-run name a service's backups are recorded under: `berth job runs PROJECT ENV db-backup`. */
export const backupJobName = (block: string) => `${block}-backup`;

/** The blocks of a release that read a service's exports: they are stopped while it is restored. */
export const readersOf = (release: ReleaseRecord, service: string): string[] =>
  release.blocks
    .filter((b) => b.name !== service && b.spec.kind !== "job" && referencedBlocks(Object.fromEntries(Object.entries(b.vars ?? {}).map(([k, v]) => [k, v.secret ? "" : v.value]))).includes(service))
    .map((b) => b.name);

/** Dumps of catalog services into compressed files, run as job runs; and restores of them. */
export function createServiceBackups(deps: BackupDeps) {
  /** The service as the live release runs it, with a template that can dump. */
  function liveService(project: string, environment: string, block: string): { release: ReleaseRecord; service: ReleaseBlock; template: Template } {
    const file = deps.projects.loadProject(project);
    if (!file) throw notFound(`project "${project}"`);
    if (!file.environments[environment]) throw notFound(`environment "${environment}" in project "${project}"`);
    const release = deps.releases.currentRelease(project, environment);
    if (!release) throw invalid(`${project}/${environment} has no live release yet: deploy it first`);
    const service = release.blocks.find((b) => b.name === block);
    if (!service) throw notFound(`block "${block}" in release ${release.number} of ${project}/${environment}`);
    const template = templateNamed(service.spec.template);
    if (!template) throw invalid(`${block} is not a service from the catalog (no \`template\`): back up its volume instead`);
    if (!template.dump || !template.restore) throw invalid(`the ${template.name} template has no dump: back up ${block}'s volume instead`);
    return { release, service, template };
  }

  /** Runs the template's dump inside the running service; its stdout becomes the backup. */
  async function dump(place: { project: string; environment: string; block: string }, service: ReleaseBlock, template: Template, runId: number, write: (line: string) => void, signal: AbortSignal): Promise<ServiceBackup> {
    const session = await deps.runtime.exec({ ...place, replica: 0, command: template.dump!, tty: false });
    signal.addEventListener("abort", () => session.close());
    const out = new PassThrough();
    const errors = lineSplitter(write);
    session.onOutput((data, stream) => (stream === "stdout" ? out.write(data) : errors.push(data)));
    session.endInput();
    const saving = deps.store.save({ ...place, template: template.name, version: service.spec.version ?? template.versions.default, runId }, template.dumpFormat ?? "dump", out);
    // A save that fails while the dump still runs (disk full, folder not writable) ends the dump;
    // its error is the one returned below, never an unhandled rejection that would end serve.
    let saveFailed = false;
    saving.catch(() => {
      saveFailed = true;
      session.close();
    });
    const code = await session.exited;
    errors.flush();
    if (saveFailed) return saving;
    if (code === 0) out.end();
    else out.destroy(new Error(`the dump exited with code ${code}`));
    return saving;
  }

  function take(project: string, environment: string, block: string, trigger: "manual" | "schedule", scheduledFor?: string): JobRunRecord {
    const { release, service, template } = liveService(project, environment, block);
    const place = { project, environment, block };
    const keep = service.spec.backup?.keep ?? DEFAULT_BACKUPS_KEPT;
    // The work may start before startTask returns: it reads its run from its arguments.
    return deps.jobs.startTask({ project, environment, release: release.number }, backupJobName(block), trigger, BACKUP_TIMEOUT, async (write, signal, run) => {
      write(`dumping ${block} (${template.name} ${service.spec.version ?? template.versions.default})`);
      let backup: ServiceBackup;
      try {
        backup = await dump(place, service, template, run.id, write, signal);
      } catch (error) {
        write(`backup failed: ${(error as Error).message.split("\n")[0]}`);
        return { exitCode: 1 };
      }
      write(`backup ${backup.id}: ${formatBytes(backup.bytes)} compressed, sha256 ${backup.sha256}`);
      for (const old of deps.store.list(place).slice(keep)) {
        deps.store.remove(place, old.id);
        write(`removed backup ${old.id} (keeping ${keep})`);
      }
      return { exitCode: 0 };
    }, scheduledFor);
  }

  return {
    /** Starts a backup now (`berth service backup`) or on the service's schedule; answers with the queued run. */
    take,

    list(project: string, environment: string, block: string): ServiceBackup[] {
      const file = deps.projects.loadProject(project);
      if (!file) throw notFound(`project "${project}"`);
      if (!file.environments[environment]) throw notFound(`environment "${environment}" in project "${project}"`);
      if (!file.blocks[block]) throw notFound(`block "${block}" in project "${project}"`);
      return deps.store.list({ project, environment, block });
    },

    /**
     * Feeds a backup to the template's restore inside the running service, with the blocks that
     * read its exports stopped meanwhile (and started again after, whatever happened), and the
     * environment held so no release starts underneath.
     */
    async restore(project: string, environment: string, block: string, id: string): Promise<{ backup: ServiceBackup; stopped: string[]; output: string[] }> {
      const { release, template } = liveService(project, environment, block);
      const place = { project, environment, block };
      const backup = deps.store.list(place).find((b) => b.id === id);
      if (!backup) throw notFound(`backup ${JSON.stringify(id)} of ${block} in ${project}/${environment} (berth service backups ${project} ${environment} ${block})`);
      // A block removed and made again under the same name may run another service: its dumps do not fit.
      if (backup.template !== template.name) throw invalid(`backup ${id} is a ${backup.template} dump; ${block} now runs ${template.name}`);
      const readers = readersOf(release, block);
      return deps.exclusively(project, environment, `restoring ${block} from backup ${id}`, async () => {
        const source = await deps.store.read(place, id);
        const resume = await deps.runtime.holdBlocks(project, environment, readers);
        const output: string[] = [];
        try {
          const session = await deps.runtime.exec({ ...place, replica: 0, command: template.restore!, tty: false });
          const lines = lineSplitter((line) => output.push(line));
          session.onOutput((data) => lines.push(data));
          // Bounded like a dump: a restore that hangs must not hold the environment and its stopped readers forever.
          const bound = setTimeout(() => session.close(), RESTORE_TIMEOUT_MS);
          let code: number;
          try {
            for await (const chunk of source) await session.write(chunk as Uint8Array);
            session.endInput();
            code = await session.exited;
          } finally {
            clearTimeout(bound);
          }
          lines.flush();
          if (code !== 0) {
            const quoted = output.filter((l) => l.trim()).slice(-QUOTED_LINES).join(" / ");
            throw conflict(`restoring ${block} from ${id} failed (exit code ${code})${quoted ? `: ${quoted}` : ""}`);
          }
        } finally {
          await resume();
        }
        return { backup, stopped: readers, output };
      });
    },
  };
}

/** Bytes to lines, for a command's stderr in a run's log. */
function lineSplitter(onLine: (line: string) => void) {
  const decoder = new TextDecoder();
  let rest = "";
  return {
    push(data: Uint8Array) {
      const lines = (rest + decoder.decode(data, { stream: true })).split("\n");
      rest = lines.pop()!;
      for (const line of lines) onLine(line);
    },
    flush() {
      if (rest) onLine(rest);
      rest = "";
    },
  };
}

export type ServiceBackups = ReturnType<typeof createServiceBackups>;
