import { expect, test } from "bun:test";
import type { LiveObject } from "./kube-client.ts";
import { type Previous, discardRecord } from "./previous.ts";

const object = (kind: string, name: string, rest: Record<string, unknown> = {}): LiveObject =>
  ({ apiVersion: kind === "Deployment" ? "apps/v1" : "v1", kind, metadata: { name, namespace: "berth-shop-prod", labels: { "berth.block": "web" }, uid: `uid-${name}` }, ...rest }) as LiveObject;

test("the record kept for discarding holds what it applies again whole, and of a Secret only its name and labels", () => {
  const deployment = object("Deployment", "web", { spec: { replicas: 2 }, status: { readyReplicas: 2 } });
  const secret = object("Secret", "web-env-1a2b", { immutable: true, data: { DATABASE_URL: "cG9zdGdyZXM6Ly9zZWNyZXQ=" } });
  const previous: Previous = new Map([["web", [deployment, secret]]]);
  const record = discardRecord(previous, new Set(["Deployment"]));
  expect(record.get("web")![0]).toBe(deployment);
  expect(record.get("web")![1]).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: "web-env-1a2b", namespace: "berth-shop-prod", labels: { "berth.block": "web" } } });
  expect(JSON.stringify([...record.values()])).not.toContain("cG9zdGdyZXM6Ly9zZWNyZXQ=");
});
