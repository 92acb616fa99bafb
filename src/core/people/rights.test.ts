import { describe, expect, test } from "bun:test";
import { bestRole, canSee, installRole, roleOn, visibleProjects, type Principal } from "./rights.ts";

const ann = (role: Principal["user"]["role"], token?: Partial<NonNullable<Principal["token"]>>): Principal => ({
  user: { id: 2, name: "ann", role },
  grants: [{ project: "alpha", role: "admin" }, { project: "beta", role: "viewer" }],
  via: token ? "token" : "session",
  ...(token && { token: { id: "0123456789ab", name: "t", role: "owner", project: null, expiresAt: null, ...token } }),
});

describe("effective roles", () => {
  test("on a project: the higher of the global role and the grant", () => {
    expect([roleOn(ann("none"), "alpha"), roleOn(ann("none"), "beta"), roleOn(ann("none"), "gamma")]).toEqual(["admin", "viewer", "none"]);
    expect([roleOn(ann("member"), "alpha"), roleOn(ann("member"), "beta"), roleOn(ann("member"), "gamma")]).toEqual(["admin", "member", "member"]);
  });

  test("a token caps the role and may pin one project; install-wide it counts only without a project", () => {
    const capped = ann("member", { role: "viewer" });
    expect([roleOn(capped, "alpha"), installRole(capped), bestRole(capped)]).toEqual(["viewer", "viewer", "viewer"]);
    const pinned = ann("member", { project: "alpha" });
    expect([roleOn(pinned, "alpha"), roleOn(pinned, "beta"), installRole(pinned), bestRole(pinned)]).toEqual(["admin", "none", "none", "admin"]);
  });

  test("visibility: install viewers see every project, others only their grants", () => {
    expect(visibleProjects(ann("viewer"), ["alpha", "gamma"])).toBeNull();
    expect(visibleProjects(ann("none"), ["alpha", "beta", "gamma"])).toEqual(["alpha", "beta"]);
    expect(canSee(ann("none", { project: "beta" }), "alpha")).toBe(false);
  });
});
