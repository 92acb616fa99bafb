import { describe, expect, test } from "bun:test";
import { createTokenStore } from "../adapters/store/token-store.ts";
import { expectBerthError } from "../../test/support/errors.ts";
import { memoryState } from "../../test/support/state.ts";
import { createTokens } from "./tokens.ts";

function clocked() {
  let now = Date.parse("2026-12-02T10:00:00Z");
  const { db, services } = memoryState();
  const tokens = createTokens(createTokenStore(db), () => now);
  const ownerToken = tokens.bootstrapOwner()!;
  const owner = services.sessions.forToken(tokens.authenticate(ownerToken))!;
  return { tokens, owner, services, advance: (ms: number) => void (now += ms) };
}

describe("tokens narrow their user", () => {
  test("an expired token is refused, naming its end; a short-lived one too", () => {
    const { tokens, owner, advance } = clocked();
    const { token } = tokens.create(owner, { name: "ci", role: "viewer", expiresAt: "2026-12-02T11:00:00.000Z" });
    const tui = tokens.issueShortLived(owner.user.id, "tui", 30 * 60_000);
    expect(tokens.authenticate(token).name).toBe("ci");
    advance(30 * 60_000);
    expect(expectBerthError(() => tokens.authenticate(tui), "unauthorized").message).toContain("expired");
    advance(30 * 60_000);
    expect(expectBerthError(() => tokens.authenticate(token), "unauthorized").message).toBe('the API token "ci" expired at 2026-12-02T11:00:00.000Z');
  });

  test("a token makes nothing beyond itself: role, project, end", () => {
    const { tokens, owner, services } = clocked();
    // An install owner sees every project name, so the project need not exist yet.
    const pinned = services.sessions.forToken(tokens.authenticate(tokens.create(owner, { name: "p", role: "member", project: "shop", expiresAt: "2026-12-03T00:00:00.000Z" }).token))!;
    expect(expectBerthError(() => tokens.create(pinned, { name: "x", role: "admin" }), "forbidden").message).toBe('you can create tokens up to the member role on "shop", not admin');
    expect(expectBerthError(() => tokens.create(pinned, { name: "x", role: "viewer", project: "other" }), "forbidden").message).toContain('a token for project "shop"');
    const child = tokens.create(pinned, { name: "x", role: "viewer" }).record;
    expect([child.project, child.expiresAt]).toEqual(["shop", "2026-12-03T00:00:00.000Z"]);
    expect(expectBerthError(() => tokens.revoke(pinned, owner.token!.id), "forbidden").message).toBe('a token for project "shop" cannot revoke an owner token');
  });
});
