// Runs the test lanes: `bun scripts/run-tests.ts fast|slow|all [--workers N] [file filters…]`.
// Fast files run in a few `bun test` processes over balanced groups of files (starting a
// process costs more than most fast files take). Slow files run one per process, a few at a
// time, longest first; files marked `// test-lane: sequential` run alone afterwards. Every
// process writes its own JUnit report, merged by the summary.
// Prints one line per file, then the summary (scripts/junit-summary.ts). Exits non-zero on
// any failure.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureFreshBinary, ROOT } from "./binary-freshness.ts";
import { summarise } from "./junit-summary.ts";
import { classify, type Lane } from "./test-lanes.ts";

const args = process.argv.slice(2);
const lane = args[0];
if (lane !== "fast" && lane !== "slow" && lane !== "all") {
  console.error("usage: bun scripts/run-tests.ts fast|slow|all [--workers N] [file filters…]");
  process.exit(2);
}
const workersFlag = args.indexOf("--workers");
const workers = workersFlag >= 0 ? Number(args[workersFlag + 1]) : lane === "fast" ? 2 : 3;
const filters = args
  .slice(1)
  .filter((arg, i, all) => arg !== "--workers" && all[i - 1] !== "--workers")
  .map((arg) => arg.replace(/^\.\//, ""));
if (!Number.isInteger(workers) || workers < 1) {
  console.error("--workers: expected a whole number of at least 1");
  process.exit(2);
}

// Reports live in the checkout, never in the shared test state; one folder per lane, so
// `test:fast` and `test:slow` may run at once.
const reports = join(ROOT, ".test-env/reports", lane);
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const timingsFile = join(ROOT, ".test-env/timings.json");
const previous: Record<string, number> = existsSync(timingsFile) ? JSON.parse(readFileSync(timingsFile, "utf8")) : {};

const wanted = (l: Lane) => lane === "all" || (lane === "fast" ? l === "fast" : l !== "fast");
const chosen = classify(ROOT).filter((c) => wanted(c.lane) && (filters.length === 0 || filters.some((f) => c.file.includes(f))));
if (chosen.length === 0) {
  console.error("no test file matches");
  process.exit(1);
}
// Longest first (from the last run, else by size), so the last worker does not start the slowest file.
const weight = (file: string) => previous[file] ?? Bun.file(join(ROOT, file)).size / 1000;
const byWeight = (a: { file: string }, b: { file: string }) => weight(b.file) - weight(a.file);
const parallel = chosen.filter((c) => c.lane !== "sequential").sort(byWeight);
const sequential = chosen.filter((c) => c.lane === "sequential").sort(byWeight);

// Any end-to-end file runs the compiled binary: build it once here, before workers start.
if (chosen.some((c) => c.lane !== "fast")) ensureFreshBinary();

// Tests make temp folders freely; they all go under one folder removed at the end.
const runTmp = mkdtempSync(join(tmpdir(), "berth-test-run-"));
const timings: Record<string, number> = { ...previous };
let groups = 0;

async function runJob(files: string[]): Promise<void> {
  const name = files.length === 1 ? files[0]!.replaceAll("/", "__") : `group-${++groups}`;
  const report = join(reports, `${name}.xml`);
  const started = performance.now();
  const proc = Bun.spawn([process.execPath, "test", "--timeout", "60000", "--reporter=junit", `--reporter-outfile=${report}`, ...files.map((f) => `./${f}`)], {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: runTmp },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const seconds = (performance.now() - started) / 1000;
  if (files.length === 1) timings[files[0]!] = seconds;
  else for (const [file, took] of Object.entries(fileTimes(report))) timings[file] = took;
  writeFileSync(join(reports, `${name}.log`), out + err);
  writeFileSync(join(reports, `${name}.json`), JSON.stringify({ files, report, exitCode, seconds }));
  console.log(`${exitCode === 0 ? "ok  " : "FAIL"} ${files.length === 1 ? files[0] : `${files.length} files`} (${seconds.toFixed(1)} s)`);
}

/** Seconds per file from a JUnit report (its testsuite times). */
function fileTimes(report: string): Record<string, number> {
  if (!existsSync(report)) return {};
  const xml = readFileSync(report, "utf8");
  return Object.fromEntries([...xml.matchAll(/<testsuite\b[^>]*\bfile="([^"]*)"[^>]*\btime="([^"]*)"/g)].map((m) => [m[1]!, Number(m[2])]));
}

/** Runs jobs (lists of files) with at most `size` at once, in the given order. */
async function pool(jobs: string[][], size: number): Promise<void> {
  let index = 0;
  const next = async (): Promise<void> => {
    const job = jobs[index++];
    if (!job) return;
    await runJob(job);
    return next();
  };
  await Promise.all(Array.from({ length: Math.min(size, jobs.length) }, next));
}

/** `count` groups of about equal weight (each file to the lightest group so far). */
function balanced(files: { file: string }[], count: number): string[][] {
  const groups = Array.from({ length: Math.min(count, files.length) }, () => ({ files: [] as string[], weight: 0 }));
  for (const { file } of files) {
    const lightest = groups.reduce((a, b) => (b.weight < a.weight ? b : a));
    lightest.files.push(file);
    lightest.weight += weight(file);
  }
  return groups.map((g) => g.files);
}

const started = performance.now();
try {
  await pool(balanced(parallel.filter((c) => c.lane === "fast"), workers), workers);
  await pool(parallel.filter((c) => c.lane !== "fast").map((c) => [c.file]), workers);
  await pool(sequential.map((c) => [c.file]), 1);
} finally {
  rmSync(runTmp, { recursive: true, force: true });
}
writeFileSync(timingsFile, JSON.stringify(timings, null, 2));
console.error(`${lane} lane: ${chosen.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s (${workers} workers)`);
process.exit(summarise(reports) ? 0 : 1);
