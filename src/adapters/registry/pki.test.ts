import * as x509 from "@peculiar/x509";
import { expect, test } from "bun:test";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registryFiles } from "./files.ts";
import { ensureCertificates } from "./pki.ts";

const DAY = 86_400_000;
const fresh = () => registryFiles(mkdtempSync(join(tmpdir(), "berth-registry-pki-")));
const serverCert = (files: ReturnType<typeof fresh>) => new x509.X509Certificate(readFileSync(files.cert, "utf8"));

test("a CA and a server certificate it signs for the registry's addresses; keys readable by their owner only", async () => {
  const files = fresh();
  const { caPem, issued } = await ensureCertificates(files, ["10.0.0.5", "registry.fleet.internal"]);
  expect(issued).toBe(true);
  const ca = new x509.X509Certificate(caPem);
  expect(ca.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
  const cert = serverCert(files);
  expect(await cert.verify({ publicKey: ca.publicKey, signatureOnly: true }, crypto)).toBe(true);
  expect(cert.issuer).toBe(ca.subject);
  const names = cert.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => `${n.type}:${n.value}`);
  expect(names).toEqual(["ip:10.0.0.5", "dns:registry.fleet.internal"]);
  expect(cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([x509.ExtendedKeyUsage.serverAuth]);
  for (const key of [files.caKey, files.key]) expect(statSync(key).mode & 0o777).toBe(0o600);
  expect(readFileSync(files.key, "utf8")).toStartWith("-----BEGIN PRIVATE KEY-----");
});

test("kept as they are on the next start; reissued for new addresses or near its end, the CA kept", async () => {
  const files = fresh();
  const first = await ensureCertificates(files, ["10.0.0.5"]);
  const firstCert = readFileSync(files.cert, "utf8");
  expect(await ensureCertificates(files, ["10.0.0.5"])).toEqual({ caPem: first.caPem, issued: false });
  expect(readFileSync(files.cert, "utf8")).toBe(firstCert);

  expect((await ensureCertificates(files, ["10.0.0.6"])).issued).toBe(true);
  expect(serverCert(files).getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => n.value)).toEqual(["10.0.0.6"]);

  const later = new Date(Date.now() + 340 * DAY);
  const renewed = await ensureCertificates(files, ["10.0.0.6"], later);
  expect(renewed).toEqual({ caPem: first.caPem, issued: true });
  expect(serverCert(files).notAfter.getTime()).toBeGreaterThan(later.getTime() + 300 * DAY);
});

test("a key that is not the certificate's (written without it) gets both made again", async () => {
  const files = fresh();
  await ensureCertificates(files, ["10.0.0.5"]);
  const other = fresh();
  await ensureCertificates(other, ["10.0.0.5"]);
  writeFileSync(files.key, readFileSync(other.key, "utf8"));
  expect((await ensureCertificates(files, ["10.0.0.5"])).issued).toBe(true);
  const spki = createPublicKey(createPrivateKey(readFileSync(files.key, "utf8"))).export({ type: "spki", format: "der" });
  expect(Buffer.from(serverCert(files).publicKey.rawData).equals(spki)).toBe(true);
  expect((await ensureCertificates(files, ["10.0.0.5"])).issued).toBe(false);
});

test("no address at all is refused", async () => {
  await expect(ensureCertificates(fresh(), [])).rejects.toThrow("the registry needs at least one host name or address for its certificate");
});
