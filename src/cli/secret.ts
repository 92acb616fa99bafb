import { readFileSync } from "node:fs";
import { UsageError } from "./verb.ts";

/** A password piped in (`--password-stdin`): the first line, so `echo pw |` works; never from argv, where ps shows it. */
export function passwordFromStdin(): string {
  const password = readFileSync(0, "utf8").split(/\r?\n/)[0] ?? "";
  if (password === "") throw new UsageError("no password on stdin");
  return password;
}

/** Asks for a password on the terminal without echoing it; null when there is no terminal. */
export async function askHidden(question: string): Promise<string | null> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return null;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = "";
      const onData = (chunk: Buffer) => {
        for (const char of chunk.toString("utf8")) {
          if (char === "\r" || char === "\n") {
            stdin.off("data", onData);
            return resolve(typed);
          }
          if (char === "\u0003") {
            stdin.off("data", onData);
            return reject(new UsageError("cancelled"));
          }
          typed = char === "\u007f" || char === "\b" ? typed.slice(0, -1) : typed + char;
        }
      };
      stdin.on("data", onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write("\n");
  }
}
