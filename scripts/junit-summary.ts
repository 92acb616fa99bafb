// Prints "N passed, N failed" from bun test's JUnit report: the line CI reads.
import { existsSync, readFileSync } from "node:fs";

const path = process.argv[2] ?? ".test-env/junit.xml";
if (!existsSync(path)) {
  console.log("0 passed, 1 failed");
  console.error(`no test report at ${path}: the test run did not finish`);
  process.exit(1);
}
const xml = readFileSync(path, "utf8");
const cases = [...xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)];
let failed = 0;
let skipped = 0;
for (const [, , body] of cases) {
  if (body && /<(failure|error)\b/.test(body)) failed++;
  else if (body && /<skipped\b/.test(body)) skipped++;
}
const passed = cases.length - failed - skipped;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || cases.length === 0 ? 1 : 0);
