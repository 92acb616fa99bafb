import type { JobRunRecord } from "../../ports/job-store.ts";
import type { ReleaseBlock, ReleaseRecord, ReleaseStore } from "../../ports/release-store.ts";
import { BerthError } from "../errors.ts";
import { describeRun, type Jobs } from "./jobs.ts";

/** Output lines quoted in a failed pre-deploy job's reason. */
const QUOTED_LINES = 3;
const QUOTE_MAX = 300;

/** The release's jobs with this trigger, in name order (the order they run in). */
const jobsWith = (release: ReleaseRecord, trigger: "pre-deploy" | "post-deploy"): ReleaseBlock[] =>
  release.blocks.filter((b) => b.spec.kind === "job" && b.spec.trigger === trigger).sort((a, b) => a.name.localeCompare(b.name));

/** The last lines a run wrote, on one line: what a reason quotes. */
function lastOutput(jobs: Jobs, run: JobRunRecord): string {
  const lines = jobs.logLines(run.id).slice(0, -1).filter((l) => l.trim() !== "").slice(-QUOTED_LINES);
  const text = lines.map((l) => l.trim()).join(" / ");
  return text.length > QUOTE_MAX ? `…${text.slice(-QUOTE_MAX)}` : text;
}

/**
 * The deploy's hooks: pre-deploy jobs run with the new release's images after they are ready
 * and before anything of the release starts; post-deploy jobs once it is live.
 */
export function releaseJobHooks(jobs: Jobs, releases: Pick<ReleaseStore, "addWarning">) {
  return {
    /** Each pre-deploy job in name order; the first that does not succeed fails the release (a throw). */
    async beforeRollout(release: ReleaseRecord, say: (line: string) => void): Promise<void> {
      for (const block of jobsWith(release, "pre-deploy")) {
        say(`pre-deploy job ${block.name}: running`);
        const run = await jobs.runForRelease(release, block, "pre-deploy", (line) => say(`${block.name} | ${line}`));
        if (run.status === "succeeded") {
          say(`pre-deploy job ${block.name}: succeeded (run #${run.id})`);
          continue;
        }
        const output = lastOutput(jobs, run);
        throw new BerthError("invalid", `pre-deploy job ${block.name} ${describeRun(run)} (run #${run.id})${output ? `; last output: ${output}` : ""}`);
      }
    },

    /** Each post-deploy job in name order; a failure is a warning on the release, never a rollback. */
    async afterRollout(release: ReleaseRecord, say: (line: string) => void): Promise<void> {
      for (const block of jobsWith(release, "post-deploy")) {
        say(`post-deploy job ${block.name}: running`);
        try {
          const run = await jobs.runForRelease(release, block, "post-deploy", (line) => say(`${block.name} | ${line}`));
          if (run.status === "succeeded") {
            say(`post-deploy job ${block.name}: succeeded (run #${run.id})`);
            continue;
          }
          const warning = `post-deploy job ${block.name} ${describeRun(run)}`;
          releases.addWarning(release.id, warning);
          say(`warning: ${warning} (run #${run.id}); the release stays deployed`);
        } catch (error) {
          const warning = `post-deploy job ${block.name} could not run: ${(error as Error).message.split("\n")[0]}`;
          releases.addWarning(release.id, warning);
          say(`warning: ${warning}`);
        }
      }
    },
  };
}
