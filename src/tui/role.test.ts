import { expect, test } from "bun:test";
import { roleOn } from "./role.ts";

test("the keys follow the role on the selected project: install role or grant, whichever is higher", () => {
  const me = { role: "none" as const, grants: [{ project: "shop", role: "member" as const }] };
  expect(roleOn(me, "shop")).toBe("member");
  expect(roleOn(me, "blog")).toBe("none");
  expect(roleOn({ role: "admin", grants: [{ project: "shop", role: "viewer" }] }, "shop")).toBe("admin");
  expect(roleOn({ role: "viewer", project: "shop", grants: [{ project: "shop", role: "owner" }] }, "shop")).toBe("viewer");
});
