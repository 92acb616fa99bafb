import * as x509 from "@peculiar/x509";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./binary.ts";
import { eventually } from "./eventually.ts";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/** A self-signed certificate for Pebble's own HTTPS listener (the Debian package ships none). */
async function listenerCert() {
  const keys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: "01",
      name: "CN=pebble test listener",
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      keys,
      signingAlgorithm: ALG,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }, { type: "dns", value: "localhost" }])],
    },
    crypto,
  );
  return { cert: cert.toString("pem"), key: x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY") };
}

export interface Pebble {
  /** The ACME directory URL. */
  directory: string;
  /** PEM file of the CA that signed Pebble's own HTTPS certificate (BERTH_ACME_CA_FILE). */
  caFile: string;
  /** PEM file of the root that issued the certificates Pebble hands out (curl --cacert). */
  rootFile(): Promise<string>;
  /** Makes challtestsrv answer `host` with `ip` instead of 127.0.0.1 (an A record pointing elsewhere). */
  pointAt(host: string, ip: string): Promise<void>;
  /** Back to the default answer (127.0.0.1). */
  unpoint(host: string): Promise<void>;
  stop(): void;
}

/**
 * Debian's `pebble` and `pebble-challtestsrv` on free loopback ports with their own config:
 * every name resolves to 127.0.0.1 (no AAAA), HTTP-01 validation goes to `httpPort` (the edge's
 * HTTP listener), no random validation delays, issued certificates live `validitySeconds`.
 */
export async function startPebble(options: { httpPort: number; validitySeconds?: number }): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), "berth-pebble-"));
  const pair = await listenerCert();
  writeFileSync(join(dir, "cert.pem"), pair.cert);
  writeFileSync(join(dir, "key.pem"), pair.key);
  const acmePort = freePort();
  const managementPort = freePort();
  const dnsPort = freePort();
  const challtestPort = freePort();
  writeFileSync(
    join(dir, "pebble.json"),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: join(dir, "cert.pem"),
        privateKey: join(dir, "key.pem"),
        httpPort: options.httpPort,
        tlsPort: freePort(),
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
        ...(options.validitySeconds ? { certificateValidityPeriod: options.validitySeconds } : {}),
      },
    }),
  );
  const logs = Bun.file(join(dir, "challtestsrv.log"));
  const challtest = Bun.spawn(
    ["pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", "-dns01", `127.0.0.1:${dnsPort}`, "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", `127.0.0.1:${challtestPort}`],
    { stdout: logs, stderr: logs },
  );
  const pebbleLog = Bun.file(join(dir, "pebble.log"));
  const pebble = Bun.spawn(["pebble", "-config", join(dir, "pebble.json"), "-dnsserver", `127.0.0.1:${dnsPort}`], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" },
    stdout: pebbleLog,
    stderr: pebbleLog,
  });
  const tls = { ca: pair.cert };
  const directory = `https://127.0.0.1:${acmePort}/dir`;
  const stop = () => {
    pebble.kill();
    challtest.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  const challtestCall = async (path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${challtestPort}${path}`, { method: "POST", body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`challtestsrv ${path}: ${res.status}`);
  };
  try {
    await eventually(async () => (await fetch(directory, { tls } as RequestInit)).ok, 15_000, "pebble answers its directory");
    await eventually(async () => (await fetch(`http://127.0.0.1:${challtestPort}/`, { method: "POST" }).then(() => true)), 15_000, "challtestsrv answers");
  } catch (error) {
    const log = await pebbleLog.text().catch(() => "");
    stop();
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  return {
    directory,
    caFile: join(dir, "cert.pem"),
    async rootFile() {
      const pem = await (await fetch(`https://127.0.0.1:${managementPort}/roots/0`, { tls } as RequestInit)).text();
      const file = join(dir, "root.pem");
      writeFileSync(file, pem);
      return file;
    },
    pointAt: (host, ip) => challtestCall("/add-a", { host, addresses: [ip] }),
    unpoint: (host) => challtestCall("/clear-a", { host }),
    stop,
  };
}
