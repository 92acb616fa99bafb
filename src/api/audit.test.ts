import { expect, test } from "bun:test";
import { actionOf } from "./audit.ts";

test("audit actions: the changes people look for by name, the rest by method and path words", () => {
  expect(actionOf("POST", "/api/projects/:project/environments/:env/deploys")).toBe("deploy");
  expect(actionOf("PUT", "/api/projects/:project/environments/:env/blocks/:block/vars")).toBe("vars set");
  expect(actionOf("POST", "/api/projects/:project/environments/:env/gateway/clients")).toBe("gateway client create");
  expect(actionOf("POST", "/api/projects/:project/blocks/:block/deploy-key")).toBe("post deploy-key");
});
