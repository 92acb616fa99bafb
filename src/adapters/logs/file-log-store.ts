import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BuildLogStore } from "../../ports/build-store.ts";

/** One text file per build under the data dir: cheap appends, easy to read with `less`. */
export function createFileLogStore(dir: string): BuildLogStore & { remove(id: number): void } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (id: number) => join(dir, `${id}.log`);
  return {
    append(id, lines) {
      if (lines.length > 0) appendFileSync(path(id), lines.map((l) => `${l}\n`).join(""), { mode: 0o600 });
    },
    read(id) {
      if (!existsSync(path(id))) return [];
      const text = readFileSync(path(id), "utf8");
      return text === "" ? [] : text.replace(/\n$/, "").split("\n");
    },
    remove(id) {
      rmSync(path(id), { force: true });
    },
  };
}
