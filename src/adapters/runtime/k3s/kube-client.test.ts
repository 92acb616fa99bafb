import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KubeApi, startKubeApi, testCa } from "../../../../test/support/kube-api.ts";
import { createKubeClient, resourcePath } from "./kube-client.ts";
import { kubeconfigYaml } from "../../../../test/support/kubeconfig-yaml.ts";
import { parseKubeconfig, readKubeconfig } from "./kubeconfig.ts";

let api: KubeApi;
let dir: string;
beforeAll(async () => {
  api = await startKubeApi();
  dir = mkdtempSync(join(tmpdir(), "berth-kubeconfig-"));
});
afterAll(() => {
  api.stop();
  rmSync(dir, { recursive: true, force: true });
});

const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "berth-shop-prod", labels: { "berth.project": "shop" } } };

describe("the kubeconfig TLS test: a server that requires a client certificate", () => {
  test("the client of a k3s kubeconfig file applies, gets, lists and deletes", async () => {
    const file = join(dir, "k3s.yaml");
    writeFileSync(file, api.kubeconfig, { mode: 0o600 });
    const warnings: string[] = [];
    const client = createKubeClient(readKubeconfig(file, undefined, (line) => void warnings.push(line)));
    expect(warnings).toEqual([]);
    const applied = await client.apply(namespace);
    expect(applied.metadata.name).toBe("berth-shop-prod");
    expect((await client.get({ kind: "Namespace", name: "berth-shop-prod" }))?.metadata.labels).toEqual({ "berth.project": "shop" });
    expect((await client.list("Namespace", undefined, { "berth.project": "shop" })).map((n) => n.metadata.name)).toEqual(["berth-shop-prod"]);
    expect(await client.list("Namespace", undefined, { "berth.project": "other" })).toEqual([]);
    expect(await client.remove({ kind: "Namespace", name: "berth-shop-prod" })).toBe(true);
    const deletion = api.requests.findLast((r) => r.method === "DELETE")!;
    expect(deletion.path).toBe("/api/v1/namespaces/berth-shop-prod");
    expect(JSON.parse(deletion.body)).toMatchObject({ kind: "DeleteOptions", propagationPolicy: "Background" });
    expect(await client.get({ kind: "Namespace", name: "berth-shop-prod" })).toBeNull();
    expect(await client.remove({ kind: "Namespace", name: "berth-shop-prod" })).toBe(false);
  });

  test("a client certificate from another CA is refused, and the error says so", async () => {
    const intruder = await (await testCa("elsewhere")).leaf("CN=system:admin", "client");
    const client = createKubeClient({ ...api.config, ...intruder });
    const before = api.requests.length;
    // The server ends the connection; Bun reports no TLS alert, so the message names the likely cause without claiming it.
    const error = (await client.get({ kind: "Namespace", name: "default" }).catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(new RegExp(`^get Namespace default: the Kubernetes API at ${api.url.replace(/\./g, "\\.")}: (the connection was closed before an answer \\(ECONNRESET\\)|the TLS handshake failed \\(EPROTO\\))`));
    expect(error.message).toContain('the client certificate of user "default"');
    expect(error.message).not.toContain("did not accept");
    expect(error.cause).toBeInstanceOf(Error);
    expect(api.requests.length).toBe(before);
  });

  test("a server whose certificate the kubeconfig's CA did not sign is refused before any request", async () => {
    const otherCa = await testCa("not-this-cluster");
    const client = createKubeClient({ ...api.config, ca: otherCa.pem });
    const before = api.requests.length;
    await expect(client.apply(namespace)).rejects.toThrow(
      `apply Namespace berth-shop-prod: the Kubernetes API at ${api.url}: its certificate is not signed by the kubeconfig's certificate-authority-data`,
    );
    expect(api.requests.length).toBe(before);
  });

  test("a server that accepts and never answers: no answer within the limit, the fetch error kept as the cause", async () => {
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const client = createKubeClient({ ...api.config, server: `https://127.0.0.1:${silent.port}` }, { timeoutMs: 300 });
      const error = (await client.get({ kind: "Namespace", name: "x" }).catch((e: Error) => e)) as Error;
      expect(error.message).toBe(`get Namespace x: the Kubernetes API at https://127.0.0.1:${silent.port}: no answer within 0.3 s`);
      expect((error.cause as Error).name).toBe("TimeoutError");
    } finally {
      silent.stop(true);
    }
  });

  test("a server that closes the connection: said as it is, not blamed on the client certificate", async () => {
    const closing = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: (socket) => void socket.end(), data() {} } });
    try {
      const client = createKubeClient({ ...api.config, server: `https://127.0.0.1:${closing.port}` });
      const error = (await client.get({ kind: "Namespace", name: "x" }).catch((e: Error) => e)) as Error;
      expect(error.message).toStartWith(`get Namespace x: the Kubernetes API at https://127.0.0.1:${closing.port}: the connection was closed before an answer (ECONNRESET)`);
      expect(error.message).not.toContain("did not accept");
      expect((error.cause as { code?: string }).code).toBe("ECONNRESET");
    } finally {
      closing.stop(true);
    }
  });

  test("nothing listening: connection refused, naming the server", async () => {
    const client = createKubeClient({ ...api.config, server: "https://127.0.0.1:1" });
    await expect(client.get({ kind: "Namespace", name: "x" })).rejects.toThrow("the Kubernetes API at https://127.0.0.1:1: connection refused");
  });
});

describe("API errors", () => {
  test("a Status answer becomes one line naming the object", async () => {
    const client = createKubeClient(api.config);
    // No namespace yet: the API refuses with a Status object.
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "web-env-1", namespace: "berth-none-prod", labels: {} }, stringData: { A: "1" } };
    const error = await client.apply(secret).catch((e: Error) => e);
    expect((error as Error).message).toBe('apply Secret berth-none-prod/web-env-1: the API answered 404: NotFound: namespaces "berth-none-prod" not found');
    expect((error as Error).message).not.toContain("\n");
  });

  test("a list of a namespace that is not there is empty; a path the server does not serve is an error, not an empty list", async () => {
    const client = createKubeClient(api.config);
    expect(await client.list("Deployment", "berth-nowhere-prod", { "berth.project": "nowhere" })).toEqual([]);
    api.refuse("GET", "/apis/batch/v1/namespaces/berth-nowhere-prod/cronjobs", 404, "NotFound", "the server could not find the requested resource");
    await expect(client.list("CronJob", "berth-nowhere-prod", { "berth.project": "nowhere" })).rejects.toThrow(
      "list CronJob in berth-nowhere-prod by berth.project=nowhere: the API answered 404: NotFound: the server could not find the requested resource",
    );
  });
});

describe("following a pod's log", () => {
  const ns = "berth-follow-prod";
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "worker", namespace: ns, labels: { "berth.block": "worker" } },
    spec: { replicas: 1, selector: { matchLabels: { "berth.block": "worker" } }, template: { metadata: { labels: { "berth.block": "worker" } }, spec: { containers: [{ name: "worker", image: "acme/worker:1" }] } } },
  };

  test("the body stays open past the request timeout: the limit is for the answer's headers, the caller's signal ends it", async () => {
    const client = createKubeClient(api.config, { timeoutMs: 300 });
    await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: {} } });
    await client.apply(deployment);
    const [pod] = await client.list("Pod", ns, { "berth.block": "worker" });
    api.setLogs(ns, "worker", ["first"]);
    const stop = new AbortController();
    const body = await client.followPodLogs(ns, pod!.metadata.name, { container: "worker", sinceTime: "2000-01-01T00:00:00Z", signal: stop.signal });
    const chunks = body.getReader();
    const decoder = new TextDecoder();
    const reader = { read: async () => ({ value: decoder.decode((await chunks.read()).value) }) };
    expect((await reader.read()).value).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z first\n$/);
    await Bun.sleep(500);
    api.appendLogs(ns, "worker", ["after the timeout"]);
    expect((await reader.read()).value).toMatch(/Z after the timeout\n$/);
    expect(api.requests.findLast((r) => r.path.endsWith("/log"))!.query).toEqual({ follow: "true", timestamps: "true", container: "worker", sinceTime: "2000-01-01T00:00:00Z" });
    stop.abort();
    await expect(reader.read()).rejects.toThrow();
  });

  test("a pod that is not there, and a server that never answers: one line naming the pod", async () => {
    const client = createKubeClient(api.config);
    await expect(client.followPodLogs(ns, "nope", {})).rejects.toThrow(`follow logs of pod ${ns}/nope: the API answered 404: NotFound: pods "nope" not found`);
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const slow = createKubeClient({ ...api.config, server: `https://127.0.0.1:${silent.port}` }, { timeoutMs: 300 });
      const error = (await slow.followPodLogs(ns, "web-1", {}).catch((e: Error) => e)) as Error;
      expect(error.message).toBe(`follow logs of pod ${ns}/web-1: the Kubernetes API at https://127.0.0.1:${silent.port}: no answer within 0.3 s`);
    } finally {
      silent.stop(true);
    }
  });
});

describe("paths per kind", () => {
  test("core, apps, batch and networking objects, namespaced or not", () => {
    expect(resourcePath("Namespace", undefined, "berth-a-b")).toBe("/api/v1/namespaces/berth-a-b");
    expect(resourcePath("Secret", "ns", "s")).toBe("/api/v1/namespaces/ns/secrets/s");
    expect(resourcePath("PersistentVolumeClaim", "ns", "c")).toBe("/api/v1/namespaces/ns/persistentvolumeclaims/c");
    expect(resourcePath("Deployment", "ns", "web")).toBe("/apis/apps/v1/namespaces/ns/deployments/web");
    expect(resourcePath("Job", "ns", "migrate-r3")).toBe("/apis/batch/v1/namespaces/ns/jobs/migrate-r3");
    expect(resourcePath("CronJob", "ns", "tick")).toBe("/apis/batch/v1/namespaces/ns/cronjobs/tick");
    expect(resourcePath("NetworkPolicy", "ns", "default-deny")).toBe("/apis/networking.k8s.io/v1/namespaces/ns/networkpolicies/default-deny");
    expect(resourcePath("Deployment", undefined)).toBe("/apis/apps/v1/deployments");
    expect(() => resourcePath("Ingress" as never, "ns", "x")).toThrow('Berth does not manage Kubernetes kind "Ingress"');
  });
});

describe("reading a kubeconfig", () => {
  const pem = (label: string) => `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`;
  const valid = kubeconfigYaml({ server: "https://127.0.0.1:6443", ca: pem("CERTIFICATE"), cert: pem("CERTIFICATE"), key: pem("EC PRIVATE KEY") });

  test("k3s's layout: the current context's server, CA, client certificate and key", () => {
    const config = parseKubeconfig(valid);
    expect(config.server).toBe("https://127.0.0.1:6443");
    expect(config.ca).toBe(pem("CERTIFICATE"));
    expect(config.key).toBe(pem("EC PRIVATE KEY"));
    expect(config.context).toBe("default");
  });

  test.each([
    [valid.replace("https://127.0.0.1:6443", "http://127.0.0.1:6443"), "k3s.yaml: cluster \"default\": server http://127.0.0.1:6443 is not https"],
    [valid.replace("current-context: default", "current-context: other"), 'k3s.yaml: contexts has no entry named "other"'],
    [valid.replace(/client-key-data: .*/, "client-key: /etc/key.pem"), "k3s.yaml: users[default].client-key points at a file; Berth reads only client-key-data (inline base64), as k3s writes it"],
    [valid.replace(/certificate-authority-data: .*/, "certificate-authority-data: bm90IGEgcGVt"), "k3s.yaml: clusters[default].certificate-authority-data is not base64 of a PEM block"],
    [valid.replace("    server:", "    insecure-skip-tls-verify: true\n    server:"), 'k3s.yaml: cluster "default" sets insecure-skip-tls-verify; Berth always checks the server\'s certificate'],
    ["- just\n- a list\n", "k3s.yaml: not a kubeconfig (expected a YAML mapping)"],
  ])("refused with one line naming the field (%#)", (text, message) => {
    expect(() => parseKubeconfig(text, "k3s.yaml")).toThrow(message);
  });

  test("a file others may read is read, with one warning line", () => {
    const file = join(dir, "loose.yaml");
    writeFileSync(file, valid);
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    expect(readKubeconfig(file, undefined, (line) => void warnings.push(line)).server).toBe("https://127.0.0.1:6443");
    expect(warnings).toEqual([`warning: kubeconfig ${file} is readable by others (mode 0644); it holds the cluster's admin key: chmod 600 it`]);
  });

  test("a missing file is named", () => {
    expect(() => readKubeconfig(join(dir, "absent.yaml"))).toThrow(`cannot read kubeconfig ${join(dir, "absent.yaml")}: ENOENT`);
  });
});
