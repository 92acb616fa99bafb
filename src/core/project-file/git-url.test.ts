import { describe, expect, test } from "bun:test";
import { BerthError } from "../errors.ts";
import { parseProjectFile } from "./parse.ts";

const fileWithUrl = (url: string) => `project: p\nblocks:\n  b:\n    kind: worker\n    git: { url: "${url}" }\n`;

function refusal(text: string): BerthError {
  try {
    parseProjectFile(text);
  } catch (error) {
    if (error instanceof BerthError) return error;
    throw error;
  }
  throw new Error("expected the file to be refused");
}

describe("git URLs with credentials in them", () => {
  const cases = [
    ["an https user and password", "https://bob:hunter2-secret@git.example.com/o/r.git"],
    ["an https token as user name", "https://ghp_tokenvalue1234@git.example.com/o/r.git"],
    ["an ssh password", "ssh://git:hunter2-secret@git.example.com/o/r.git"],
  ] as const;
  for (const [what, url] of cases) {
    test(`${what} in the URL is refused, pointing to berth block git-token, never echoed`, () => {
      const error = refusal(fileWithUrl(url));
      const lines = error.issues.map((i) => `${i.path}: ${i.message}`);
      expect(lines).toEqual(["blocks.b.git.url: must not carry credentials (user:password@ or token@): store a token with `berth block git-token PROJECT BLOCK` instead"]);
      expect(JSON.stringify(error.issues) + error.message).not.toMatch(/hunter2|ghp_tokenvalue/);
    });
  }

  test("an ssh account name is not a credential", () => {
    for (const url of ["ssh://git@git.example.com/o/r.git", "git@git.example.com:o/r.git", "https://git.example.com/o/r.git"]) {
      expect(parseProjectFile(fileWithUrl(url)).blocks.b!.git!.url).toBe(url);
    }
  });
});
