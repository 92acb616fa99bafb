import { describe, expect, test } from "bun:test";
import { summarizeStderr } from "./messages.ts";
import { checkUrl, redactUrl } from "./remote-url.ts";

const plain = { url: "", redactedUrl: "", secrets: [] };

describe("summarizeStderr picks the line that names the cause", () => {
  const cases: [string, string, string][] = [
    [
      "ssh refused key",
      "git@127.0.0.1: Permission denied (publickey).\r\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n",
      "git@127.0.0.1: Permission denied (publickey).",
    ],
    [
      "changed host key",
      "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\nIT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\nHost key for [127.0.0.1]:2222 has changed and you have requested strict checking.\nHost key verification failed.\r\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n",
      "Host key verification failed.",
    ],
    [
      "http connection refused",
      "fatal: unable to access 'http://127.0.0.1:9/x.git/': Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server\n",
      "unable to access 'http://127.0.0.1:9/x.git/': Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server",
    ],
    [
      "http credentials missing",
      "error: unable to read askpass response from '/bin/false'\nfatal: could not read Username for 'https://example.com': terminal prompts disabled\n",
      "authentication failed (the server asked for credentials; check the https token)",
    ],
    ["no message", "", "git exited without a message"],
  ];
  for (const [name, stderr, expected] of cases) {
    test(name, () => expect(summarizeStderr(stderr, plain)).toBe(expected));
  }

  test("URLs lose their credentials and secrets are masked", () => {
    const url = "https://bob:s3cret-token@example.com/x.git";
    const stderr = `fatal: unable to access '${url}/': The requested URL returned error: 403 for s3cret-token\n`;
    expect(summarizeStderr(stderr, { url, redactedUrl: redactUrl(url), secrets: ["s3cret-token"] })).toBe(
      "unable to access 'https://example.com/x.git/': The requested URL returned error: 403 for ***",
    );
  });
});

describe("URLs", () => {
  test("redactUrl drops http userinfo and any password, keeps ssh users", () => {
    expect(redactUrl("https://x-access-token:abc@github.com/o/r.git")).toBe("https://github.com/o/r.git");
    expect(redactUrl("http://abc@host/r.git")).toBe("http://host/r.git");
    expect(redactUrl("ssh://git:pw@host:22/r.git")).toBe("ssh://git@host:22/r.git");
    expect(redactUrl("ssh://git@host/r.git")).toBe("ssh://git@host/r.git");
    expect(redactUrl("git@github.com:o/r.git")).toBe("git@github.com:o/r.git");
    expect(redactUrl("file:///srv/r.git")).toBe("file:///srv/r.git");
  });

  test("checkUrl names the transport of each allowed form", () => {
    expect(checkUrl("https://github.com/o/r.git")).toBe("http");
    expect(checkUrl("http://127.0.0.1:7480/r.git")).toBe("http");
    expect(checkUrl("ssh://git@127.0.0.1:2222/srv/r.git")).toBe("ssh");
    expect(checkUrl("git@github.com:o/r.git")).toBe("ssh");
    expect(checkUrl("file:///srv/r.git")).toBe("file");
    for (const url of ["ext::sh -c id", "fd::3", "-u", "--upload-pack=id", "ftp://host/r.git", "/srv/r.git", "github.com:o/r.git", ""]) {
      expect(() => checkUrl(url)).toThrow("is not a git URL");
    }
  });
});
