// Prints "N passed, N failed" (the one line CI reads, on stdout) from bun test's JUnit
// reports, plus, on stderr, what failed and the 10 slowest tests.
//   bun scripts/junit-summary.ts <reports dir | report.xml>
// A reports dir (scripts/run-tests.ts) holds, per test file, its report, its output and a
// small manifest with the process's exit code. A file that crashed at import has no test
// cases in its report: it counts as a failure, named, rather than as nothing at all.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

interface Case {
  file: string;
  name: string;
  seconds: number;
  failed: boolean;
  skipped: boolean;
}

interface Manifest {
  files: string[];
  report: string;
  exitCode: number;
}

const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#10;/g, "\n").replace(/&amp;/g, "&");

function casesOf(xml: string, fallbackFile: string): Case[] {
  const cases: Case[] = [];
  for (const suite of xml.matchAll(/<testsuite\b([^>]*)>([\s\S]*?)<\/testsuite>/g)) {
    const file = /\bfile="([^"]*)"/.exec(suite[1]!)?.[1] ?? fallbackFile;
    for (const match of suite[2]!.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const attrs = match[1]!;
      const body = match[3] ?? "";
      const name = unescape(/\bname="([^"]*)"/.exec(attrs)?.[1] ?? "(unnamed)");
      const classname = unescape(/\bclassname="([^"]*)"/.exec(attrs)?.[1] ?? "");
      cases.push({
        file: unescape(file),
        name: classname ? `${classname} > ${name}` : name,
        seconds: Number(/\btime="([^"]*)"/.exec(attrs)?.[1] ?? 0),
        failed: /<(failure|error)\b/.test(body),
        skipped: /<skipped\b/.test(body),
      });
    }
  }
  return cases;
}

/** Prints the summary for a reports dir or one report; true when everything passed. */
export function summarise(path: string): boolean {
  const cases: Case[] = [];
  const broken: { file: string; why: string; log?: string }[] = [];
  if (!existsSync(path)) {
    console.log("0 passed, 1 failed");
    console.error(`no test report at ${path}: the test run did not finish`);
    return false;
  }
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).filter((f) => f.endsWith(".json")).sort()) {
      const manifest = JSON.parse(readFileSync(join(path, entry), "utf8")) as Manifest;
      const own = existsSync(manifest.report) ? casesOf(readFileSync(manifest.report, "utf8"), manifest.files[0]!) : [];
      cases.push(...own);
      const log = join(path, entry.replace(/\.json$/, ".log"));
      const name = manifest.files.join(", ");
      // bun leaves a file that threw at import out of the report altogether.
      const missing = manifest.files.filter((file) => !own.some((c) => c.file === file));
      for (const file of missing) broken.push({ file, why: manifest.exitCode === 0 ? "has no tests" : "failed to load (no test ran)" });
      if (missing.length === 0 && manifest.exitCode !== 0 && !own.some((c) => c.failed)) broken.push({ file: name, why: `exited ${manifest.exitCode} with an error outside any test` });
      if (manifest.exitCode !== 0 || own.some((c) => c.failed)) broken.push({ file: name, why: "", log });
    }
  } else {
    cases.push(...casesOf(readFileSync(path, "utf8"), path));
  }

  const failedCases = cases.filter((c) => c.failed);
  const fileFailures = broken.filter((b) => b.why);
  for (const b of broken) {
    if (!b.log || !existsSync(b.log)) continue;
    const text = readFileSync(b.log, "utf8").trimEnd().split("\n");
    console.error(`\n--- ${b.file} (last ${Math.min(80, text.length)} lines of its output: ${b.log})`);
    console.error(text.slice(-80).join("\n"));
  }
  if (failedCases.length || fileFailures.length) {
    console.error("\nfailed:");
    for (const c of failedCases) console.error(`  ${c.file}: ${c.name}`);
    for (const b of fileFailures) console.error(`  ${b.file}: ${b.why}`);
  }
  const slowest = [...cases].sort((a, b) => b.seconds - a.seconds).slice(0, 10);
  if (slowest.length) {
    console.error("\nslowest tests:");
    for (const c of slowest) console.error(`  ${c.seconds.toFixed(1).padStart(6)} s  ${c.file}: ${c.name}`);
  }
  const skipped = cases.filter((c) => c.skipped).length;
  if (skipped) console.error(`\n${skipped} skipped`);
  const failed = failedCases.length + fileFailures.length;
  const passed = cases.length - failedCases.length - skipped;
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && cases.length > 0;
}

if (import.meta.main) process.exit(summarise(process.argv[2] ?? ".test-env/reports/all") ? 0 : 1);
