import { unwrap, type Client } from "../../client/index.ts";
import type { JobRunRecord } from "../../ports/job-store.ts";
import { followLog } from "../follow.ts";
import { ago, colourState, json, table } from "../output.ts";
import { UsageError, type Verb } from "../verb.ts";

const followRun = (client: Client, id: number, out: (line: string) => void) =>
  followLog<JobRunRecord>(
    client["job-runs"][":id"].log.stream.$get({ param: { id: String(id) } }),
    () => unwrap(client["job-runs"][":id"].$get({ param: { id: String(id) } })),
    out,
  );

const runId = (text: string) => {
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`not a job run id: ${text}`);
  return text;
};

/** "NAME=value" → ["NAME", "value"]; the value may hold anything, "=" included. */
function envArg(text: string): [string, string] {
  const i = text.indexOf("=");
  if (i <= 0) throw new UsageError(`--env expects NAME=value, got ${JSON.stringify(text)}`);
  return [text.slice(0, i), text.slice(i + 1)];
}

const seconds = (run: JobRunRecord) =>
  run.startedAt && run.finishedAt ? `${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)}s` : null;

/** How a run ended, as `--wait` reports it: 0 for success, else 1 and one line naming the exit code. */
function outcome(run: JobRunRecord, err: (line: string) => void): number {
  if (run.status === "succeeded") return 0;
  const detail = run.status === "failed" && run.exitCode !== null ? ` with exit code ${run.exitCode}` : run.reason ? `: ${run.reason}` : "";
  err(`error: job run #${run.id} of ${run.job} ${run.status}${detail}`);
  return 1;
}

export const jobVerbs: Verb[] = [
  {
    name: "job run",
    summary: "Run a job now with the live release's image",
    args: "PROJECT ENV JOB",
    options: { wait: { type: "boolean", short: "w" }, follow: { type: "boolean", short: "f" }, env: { type: "string", multiple: true }, json: { type: "boolean" } },
    optionHelp: [
      "-w, --wait          wait for the run to end; exit 0 when it succeeded, 1 otherwise",
      "-f, --follow        print the run's output as it comes (implies --wait)",
      "--env NAME=value    set a variable for this run only (repeatable)",
      "--json              print the run as JSON (as it ended, with --wait)",
    ],
    async run({ args, values, client, out, err }) {
      const env = Object.fromEntries(((values.env as string[] | undefined) ?? []).map(envArg));
      const api = await client();
      const run = await unwrap(
        api.projects[":project"].environments[":env"].jobs[":job"].runs.$post({ param: { project: args[0]!, env: args[1]!, job: args[2]! }, json: { env } }),
      );
      if (values.follow) return outcome(await followRun(api, run.id, out), err);
      if (!values.wait) return out(values.json ? json(run) : `job run #${run.id} of ${run.job} queued (berth job log ${run.id} -f)`);
      // Waiting without printing the output: the stream still tells when the run ended.
      const ended = await followRun(api, run.id, () => {});
      if (values.json) out(json(ended));
      return outcome(ended, err);
    },
  },
  {
    name: "job runs",
    summary: "List an environment's job runs (one job's when named), newest first",
    args: "PROJECT ENV [JOB]",
    minArgs: 2,
    variadic: true,
    options: { json: { type: "boolean" } },
    async run({ args, values, client, out, paint }) {
      if (args.length > 3) throw new UsageError(`expected PROJECT ENV [JOB], got ${args.join(" ")}`);
      const { runs } = await unwrap(
        (await client()).projects[":project"].environments[":env"]["job-runs"].$get({ param: { project: args[0]!, env: args[1]! }, query: { job: args[2] } }),
      );
      if (values.json) return out(json(runs));
      out(
        table(
          ["RUN", "JOB", "TRIGGER", "RELEASE", "STATUS", "EXIT", "STARTED", "FINISHED", "DURATION", "REASON"],
          runs.map((r) => [r.id, r.job, r.trigger, r.release, colourState(paint, r.status), r.exitCode, ago(r.startedAt), ago(r.finishedAt), seconds(r), r.reason]),
        ),
      );
    },
  },
  {
    name: "job log",
    summary: "Print a job run's output (-f: follow it until the run ends)",
    args: "RUN",
    options: { follow: { type: "boolean", short: "f" } },
    optionHelp: ["-f, --follow    keep printing until the run ends"],
    async run({ args, values, client, out }) {
      const id = runId(args[0]!);
      const api = await client();
      if (values.follow) return void (await followRun(api, Number(id), out));
      const { lines } = await unwrap(api["job-runs"][":id"].log.$get({ param: { id } }));
      for (const line of lines) out(line);
    },
  },
  {
    name: "job cancel",
    summary: "Cancel a queued or running job run (its container is killed)",
    args: "RUN",
    options: { json: { type: "boolean" } },
    async run({ args, values, client, out }) {
      const run = await unwrap((await client())["job-runs"][":id"].cancel.$post({ param: { id: runId(args[0]!) } }));
      out(values.json ? json(run) : `job run #${run.id}: ${run.status === "running" ? "cancelling" : run.status}`);
    },
  },
];
