import { describe, expect, test } from "bun:test";
import { apiHarness } from "../../test/support/state.ts";

const yaml = (project: string) => `project: ${project}\nblocks:\n  web:\n    kind: worker\n    image: berth-base/busybox:latest\n    command: ["sleep", "3600"]\nenvironments:\n  dev: {}\n`;
const PASSWORD = "correct-horse-battery";

/** An install with projects alpha and beta, and user ann who signed in through her invitation. */
async function install() {
  const h = apiHarness();
  const owner = { Authorization: `Bearer ${h.ownerToken}`, "Content-Type": "application/json" };
  const call = (path: string, init: RequestInit = {}, headers: Record<string, string> = owner) => h.app.request(path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  for (const p of ["alpha", "beta"]) expect((await call("/api/projects/apply", { method: "POST", body: JSON.stringify({ file: yaml(p) }) })).status).toBe(200);
  const added = await call("/api/users", { method: "POST", body: JSON.stringify({ name: "ann", role: "none" }) });
  expect(added.status).toBe(201);
  const { invitation } = (await added.json()) as { invitation: { url: string; expiresAt: string } };
  const link = invitation.url.split("/invite/")[1]!;
  return { ...h, owner, call, link };
}

const cookieOf = (res: Response) => /berth_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];

describe("people", () => {
  test("SSH keys: added by their line, removed by their fingerprint even with '/' in it", async () => {
    const { client } = apiHarness();
    // This key's fingerprint has a "/" (SHA256:…/…), the case a path segment must carry encoded.
    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIITJFynrn7LOqaHTL6Zbp8r8DkVEPsqfnzzrXj+hb8/z ann@laptop";
    await client.users.$post({ json: { name: "ann", role: "viewer" } });
    const added = await (await client.users[":name"].keys.$post({ param: { name: "ann" }, json: { key } })).json();
    expect(added.fingerprint).toContain("/");
    const removed = await client.users[":name"].keys[":fingerprint"].$delete({ param: { name: "ann", fingerprint: encodeURIComponent(added.fingerprint) } });
    expect(removed.status).toBe(204);
    expect((await (await client.users[":name"].$get({ param: { name: "ann" } })).json()).keys).toEqual([]);
  });

  test("an invitation sets the password once and signs in; the session cookie works for /api", async () => {
    const { app, call, link } = await install();
    expect(await (await app.request(`/auth/invitations/${link}`)).json()).toMatchObject({ user: "ann" });
    const weak = await app.request(`/auth/invitations/${link}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ password: "qwertyuiop" }) });
    expect([weak.status, ((await weak.json()) as { detail: string }).detail]).toEqual([400, "the password is one of the most common passwords: choose another"]);
    const accepted = await app.request(`/auth/invitations/${link}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ password: PASSWORD }) });
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get("set-cookie")).toMatch(/^berth_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
    expect((await app.request(`/auth/invitations/${link}`)).status).toBe(404);
    const me = await call("/api/whoami", {}, { Cookie: `berth_session=${cookieOf(accepted)}` });
    expect(await me.json()).toMatchObject({ user: "ann", role: "none", via: "session", grants: [] });
  });

  test("a member of alpha sees alpha and nothing of beta: list, reads and streams 404; a viewer's changes are 403", async () => {
    const { app, call, link } = await install();
    await app.request(`/auth/invitations/${link}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ password: PASSWORD }) });
    expect((await call("/api/projects/alpha/members/ann", { method: "PUT", body: JSON.stringify({ role: "member" }) })).status).toBe(200);
    const login = await app.request("/auth/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: "ann", password: PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const ann = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const list = (await (await call("/api/projects", {}, ann)).json()) as { projects: { name: string }[] };
    expect(list.projects.map((p) => p.name)).toEqual(["alpha"]);
    expect((await call("/api/projects/alpha", {}, ann)).status).toBe(200);
    for (const path of ["/api/projects/beta", "/api/projects/beta/environments/dev/logs", "/api/projects/beta/environments/dev/logs/stream", "/api/projects/beta/environments/dev/status"]) {
      expect({ path, status: (await call(path, {}, ann)).status }).toEqual({ path, status: 404 });
    }
    expect((await call("/api/projects/beta/environments/dev/deploys", { method: "POST", body: "{}" }, ann)).status).toBe(404);
    expect((await call("/api/certs", {}, ann)).status).toBe(403);
    expect((await call("/api/users", {}, ann)).status).toBe(403);

    await call("/api/projects/alpha/members/ann", { method: "PUT", body: JSON.stringify({ role: "viewer" }) });
    const refused = await call("/api/projects/alpha/environments/dev/deploys", { method: "POST", body: "{}" }, ann);
    expect(refused.status).toBe(403);
    const audit = (await (await call("/api/audit", {}, ann)).json()) as { user: string; action: string; project: string; outcome: string }[];
    expect(audit.find((e) => e.user === "ann" && e.action === "deploy")).toMatchObject({ project: "alpha", outcome: "forbidden" });
    expect(audit.every((e) => e.project === "alpha")).toBe(true);
  });

  test("a token narrows its user: a project, a lower role, an end", async () => {
    const { app, call, owner } = await install();
    const made = await call("/api/tokens", { method: "POST", body: JSON.stringify({ name: "ci", role: "viewer", project: "alpha", expiresIn: "1h" }) }, owner);
    const { token } = (await made.json()) as { token: string };
    const ci = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    expect((await call("/api/projects/alpha", {}, ci)).status).toBe(200);
    expect((await call("/api/projects/beta", {}, ci)).status).toBe(404);
    expect((await call("/api/projects/alpha/environments/dev/deploys", { method: "POST", body: "{}" }, ci)).status).toBe(403);
    expect((await call("/api/certs", {}, ci)).status).toBe(403);
    const wider = await call("/api/tokens", { method: "POST", body: JSON.stringify({ name: "x", role: "admin", project: "alpha" }) }, ci);
    expect(wider.status).toBe(403);
    // A key or a password would give it back all of its user's rights.
    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINj1QxO757/XwJxQtVw5vhl0qMJuZ0nAhLKm73LMNLBd";
    expect((await call("/api/users/owner/keys", { method: "POST", body: JSON.stringify({ key }) }, ci)).status).toBe(403);
    expect((await call("/api/users/owner/password", { method: "PUT", body: JSON.stringify({ password: "a-new-long-password" }) }, ci)).status).toBe(403);
    expect((await call("/api/users/owner/keys", { method: "POST", body: JSON.stringify({ key }) }, owner)).status).toBe(201);
    void app;
  });

  test("the 11th wrong password is 429 with Retry-After, even with the right one", async () => {
    const { app, link } = await install();
    await app.request(`/auth/invitations/${link}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ password: PASSWORD }) });
    const signIn = (password: string) => app.request("/auth/session", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: "ann", password }) });
    for (let i = 0; i < 10; i++) expect((await signIn(`wrong-password-${i}`)).status).toBe(401);
    const locked = await signIn(PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  test("the cookie is Secure and __Host- prefixed when the request came over HTTPS, directly or through the edge on loopback", async () => {
    const { app, link } = await install();
    const accept = (url: string, address: string) =>
      app.request(url, { method: "POST", headers: { "Content-Type": "application/json", "X-Forwarded-Proto": "https" }, body: JSON.stringify({ password: PASSWORD }) }, { requestIP: () => ({ address }) });
    const viaEdge = await accept(`http://berth.test/auth/invitations/${link}`, "127.0.0.1");
    expect(viaEdge.headers.get("set-cookie")).toContain("; Secure;");
    const session = await app.request("https://berth.test/auth/session", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: "ann", password: PASSWORD }) }, { requestIP: () => ({ address: "192.0.2.9" }) });
    expect(session.headers.get("set-cookie")).toMatch(/^__Host-berth_session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const value = /^__Host-berth_session=([^;]+)/.exec(session.headers.get("set-cookie")!)![1];
    const me = await app.request("https://berth.test/api/whoami", { headers: { Cookie: `__Host-berth_session=${value}` } }, { requestIP: () => ({ address: "192.0.2.9" }) });
    expect(await me.json()).toMatchObject({ user: "ann", via: "session" });
    // The unprefixed name is the plain-HTTP cookie: over HTTPS it is not taken.
    const planted = await app.request("https://berth.test/api/whoami", { headers: { Cookie: `berth_session=${value}` } }, { requestIP: () => ({ address: "192.0.2.9" }) });
    expect(planted.status).toBe(401);
    // From a remote peer, X-Forwarded-Proto is only the client's claim.
    const plain = await app.request("http://berth.test/auth/session", { method: "POST", headers: { "Content-Type": "application/json", "X-Forwarded-Proto": "https" }, body: JSON.stringify({ user: "ann", password: PASSWORD }) }, { requestIP: () => ({ address: "192.0.2.9" }) });
    expect(plain.headers.get("set-cookie")).not.toContain("Secure");
  });

  test("a change made with the cookie needs the request's own Origin", async () => {
    const { app, call, link } = await install();
    const accepted = await app.request(`http://berth.test/auth/invitations/${link}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ password: PASSWORD }) });
    const cookie = `berth_session=${cookieOf(accepted)}`;
    const post = (origin?: string) =>
      call("http://berth.test/api/tokens", { method: "POST", body: JSON.stringify({ name: "x", role: "viewer", currentPassword: PASSWORD }) }, { Cookie: cookie, "Content-Type": "application/json", ...(origin && { Origin: origin }) });
    expect((await post()).status).toBe(403);
    expect((await post("https://evil.example")).status).toBe(403);
    // ann has no role anywhere yet: past the origin check, the token's role is what refuses.
    const own = await post("http://berth.test");
    expect(((await own.json()) as { detail: string }).detail).toContain("up to the none role");
    const out = await app.request("http://berth.test/auth/session", { method: "DELETE", headers: { Cookie: cookie } });
    expect(out.status).toBe(204);
    expect((await call("http://berth.test/api/whoami", {}, { Cookie: cookie })).status).toBe(401);
  });

  test("an admin cannot add keys to, remove keys of, or sign out an owner; a user can for themselves", async () => {
    const { call, tokenWithRole } = await install();
    const admin = { Authorization: `Bearer ${tokenWithRole("admin")}`, "Content-Type": "application/json" };
    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIITJFynrn7LOqaHTL6Zbp8r8DkVEPsqfnzzrXj+hb8/z eve@laptop";
    expect((await call("/api/users/owner/keys", { method: "POST", body: JSON.stringify({ key }) }, admin)).status).toBe(403);
    expect((await call("/api/users/owner/keys/SHA256%3Ax", { method: "DELETE" }, admin)).status).toBe(403);
    expect((await call("/api/users/owner/sessions", { method: "DELETE" }, admin)).status).toBe(403);
    // Users below the admin's own role stay the admin's to manage.
    expect((await call("/api/users/ann/keys", { method: "POST", body: JSON.stringify({ key }) }, admin)).status).toBe(201);
  });

  test("HEAD meets the GET rules: a viewer cannot reveal a secret that way either", async () => {
    const { call, tokenWithRole } = await install();
    expect((await call("/api/projects/alpha/environments/dev/blocks/web/vars", { method: "PUT", body: JSON.stringify({ vars: { PW: "hunter22" }, secret: true }) })).status).toBeLessThan(300);
    const viewer = { Authorization: `Bearer ${tokenWithRole("viewer")}` };
    for (const method of ["GET", "HEAD"]) expect({ method, status: (await call("/api/projects/alpha/environments/dev/blocks/web/vars/PW?reveal=true", { method }, viewer)).status }).toEqual({ method, status: 403 });
  });

  test("through a console session a new token or password needs the current password; a wrong one signs the session out", async () => {
    const { app, call, link } = await install();
    expect((await call("/api/projects/alpha/members/ann", { method: "PUT", body: JSON.stringify({ role: "member" }) })).status).toBe(200);
    const signIn = async () => {
      const res = await app.request("http://berth.test/auth/session", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: "ann", password: PASSWORD }) });
      return { Cookie: `berth_session=${cookieOf(res)}`, "Content-Type": "application/json", Origin: "http://berth.test" };
    };
    await app.request(`http://berth.test/auth/invitations/${link}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ password: PASSWORD }) });
    let session = await signIn();
    const token = (body: object) => call("http://berth.test/api/tokens", { method: "POST", body: JSON.stringify({ name: "ci", role: "viewer", project: "alpha", ...body }) }, session);
    const detail = async (res: Response) => [res.status, ((await res.json()) as { detail: string }).detail];

    expect(await detail(await token({}))).toEqual([403, "through a console session this needs your current password too (currentPassword)"]);
    expect(await detail(await token({ currentPassword: "not-it-at-all" }))).toEqual([403, "your current password is wrong; you are signed out of the console"]);
    // The cookie is dead: a stolen one gets no second guess.
    expect((await call("http://berth.test/api/whoami", {}, session)).status).toBe(401);

    session = await signIn();
    expect((await token({ currentPassword: PASSWORD })).status).toBe(201);
    const change = (body: object) => call("http://berth.test/api/users/ann/password", { method: "PUT", body: JSON.stringify({ password: "a-new-long-password", ...body }) }, session);
    expect(await detail(await change({}))).toEqual([403, "through a console session this needs your current password too (currentPassword)"]);
    expect((await change({ currentPassword: PASSWORD })).status).toBe(204);
    // A token (the CLI's) is asked for nothing more: the owner sets ann's password back.
    expect((await call("/api/users/ann/password", { method: "PUT", body: JSON.stringify({ password: PASSWORD }) })).status).toBe(204);
  });

  test("a password set directly ends the invitation sent before; a name that cannot be one is not audited as typed", async () => {
    const { app, call, link, services, ownerToken } = await install();
    expect((await call("/api/users/ann/password", { method: "PUT", body: JSON.stringify({ password: PASSWORD }) })).status).toBe(204);
    expect((await app.request(`/auth/invitations/${link}`)).status).toBe(404);
    const typed = "ann\u001b]0;pwned\u0007";
    const refused = await app.request("/auth/session", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: typed, password: "x" }) });
    expect(refused.status).toBe(401);
    const entries = services.audit.query(services.sessions.forToken(services.tokens.authenticate(ownerToken))!, {});
    expect(entries.some((e) => e.action === "sign in" && e.outcome === "unauthorized" && e.user === null)).toBe(true);
    expect(JSON.stringify(entries)).not.toContain("pwned");
  });

  test("a token from a password ends in 90 days; a shell and a revealed secret are in the audit log", async () => {
    const { app, call, link, services, ownerToken } = await install();
    await app.request(`/auth/invitations/${link}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ password: PASSWORD }) });
    expect((await call("/api/projects/alpha/members/ann", { method: "PUT", body: JSON.stringify({ role: "member" }) })).status).toBe(200);
    const login = await app.request("/auth/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: "ann", password: PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const days = (Date.parse(services.tokens.current(token)!.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThanOrEqual(90);
    await call("/api/projects/alpha/environments/dev/blocks/web/vars", { method: "PUT", body: JSON.stringify({ vars: { PW: "hunter22" }, secret: true }) });
    expect((await call("/api/projects/alpha/environments/dev/blocks/web/vars/PW?reveal=true")).status).toBe(200);
    const owner = services.sessions.forToken(services.tokens.authenticate(ownerToken))!;
    expect(services.audit.query(owner, {}).map((e) => e.action)).toContain("vars reveal");
  });
});
