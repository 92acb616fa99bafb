import { describe, expect, test } from "bun:test";
import { expectBerthError } from "../../../test/support/errors.ts";
import { memoryState } from "../../../test/support/state.ts";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINj1QxO757/XwJxQtVw5vhl0qMJuZ0nAhLKm73LMNLBd ann@laptop";
// As `ssh-keygen -lf` prints it for KEY.
const FINGERPRINT = "SHA256:MPpLmM0Ja6dR2f2GyJ9gAKheJP9jfm3PC2KTgH1jpSE";

function people() {
  const { services } = memoryState();
  const ownerToken = services.tokens.bootstrapOwner()!;
  const owner = services.sessions.forToken(services.tokens.authenticate(ownerToken))!;
  return { ...services, owner };
}

describe("users", () => {
  test("an SSH key finds its user by the wire blob; the fingerprint is OpenSSH's", async () => {
    const { users, owner } = people();
    await users.add(owner, { name: "ann", role: "member", sshKeys: [KEY] });
    expect(users.show("ann").keys.map((k) => k.fingerprint)).toEqual([FINGERPRINT]);
    const [algo, blob] = KEY.split(" ");
    expect(users.userForSshKey(algo!, blob!)).toMatchObject({ name: "ann", role: "member" });
    expect(users.userForSshKey("ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).toBeNull();
    expect(expectBerthError(() => users.addKey(owner, "owner", KEY), "conflict").message).toContain(FINGERPRINT);
    expect(expectBerthError(() => users.addKey(owner, "ann", "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAINj1QxO757/XwJxQtVw5vhl0qMJuZ0nAhLKm73LMNLBd"), "invalid").message).toBe("the SSH public key's data is not a ssh-rsa key");
  });

  test("names follow project names; the last owner stays; an admin cannot make owners", async () => {
    const { users, owner, tokens, sessions } = people();
    expect((await expectBerthError(users.add(owner, { name: "Ann Smith" }), "invalid")).message).toStartWith('user name "Ann Smith": must be a DNS label');
    expectBerthError(() => users.remove(owner, "owner"), "conflict");
    const added = await users.add(owner, { name: "ada", role: "admin" });
    const ada = sessions.forToken(tokens.authenticate(tokens.issueShortLived(added.user.id, "tui", 60_000)))!;
    expect(ada.user.name).toBe("ada");
    expect((await expectBerthError(users.add(ada, { name: "eve", role: "owner" }), "forbidden")).message).toBe("an admin cannot create an owner");
  });

  test("removing a user removes their tokens and sessions", async () => {
    const { users, owner, tokens, sessions } = people();
    const { user } = await users.add(owner, { name: "bob", role: "viewer", password: "long-enough-secret" });
    const token = tokens.issueShortLived(user.id, "tui", 60_000);
    const cookie = sessions.start(user.id, "192.0.2.1");
    expect(sessions.principal(cookie)?.user.name).toBe("bob");
    users.remove(owner, "bob");
    expectBerthError(() => tokens.authenticate(token), "unauthorized");
    expect(sessions.principal(cookie)).toBeNull();
  });
});
