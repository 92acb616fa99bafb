import * as x509 from "@peculiar/x509";
import { createPrivateKey, createPublicKey, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { invalid } from "../../core/errors.ts";
import type { RegistryFiles } from "./files.ts";
import { writePrivate, writePublic } from "../../lib/private-file.ts";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 86_400_000;
/** The CA outlives any node; the server certificate is short and reissued at start. */
const CA_DAYS = 3650;
const SERVER_DAYS = 365;
const RENEW_DAYS = 30;

/** A positive serial of 16 random bytes, as RFC 5280 asks (no more than 20 octets). */
const serial = () => {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString("hex");
};

const pemKey = async (key: CryptoKey) => x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");

async function createCa(files: RegistryFiles, now: Date) {
  const keys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: "CN=Berth fleet registry CA",
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + CA_DAYS * DAY),
      keys,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    },
    crypto,
  );
  writePrivate(files.caKey, await pemKey(keys.privateKey));
  writePublic(files.caCert, cert.toString("pem"));
}

/** The names a certificate holds, as `dns:name` / `ip:address`. */
function namesOf(cert: x509.X509Certificate): string[] {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  return (san?.names.items ?? []).map((name) => `${name.type}:${name.value}`).sort();
}

const wanted = (hosts: string[]) => [...new Set(hosts.map((host) => `${isIP(host) ? "ip" : "dns"}:${host}`))].sort();

/** Whether the key file holds the private key of the certificate's public key (a key written without its certificate does not). */
function keyMatches(cert: x509.X509Certificate, keyFile: string): boolean {
  try {
    const spki = createPublicKey(createPrivateKey(readFileSync(keyFile, "utf8"))).export({ type: "spki", format: "der" });
    return Buffer.from(cert.publicKey.rawData).equals(spki);
  } catch {
    return false;
  }
}

/** Whether the server certificate is there, readable, signed by this CA, for exactly these hosts, not near its end, and its key beside it. */
async function serverCertFits(files: RegistryFiles, ca: x509.X509Certificate, hosts: string[], now: Date): Promise<boolean> {
  if (!existsSync(files.cert) || !existsSync(files.key)) return false;
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(readFileSync(files.cert, "utf8"));
  } catch {
    return false;
  }
  if (!keyMatches(cert, files.key)) return false;
  if (cert.notAfter.getTime() - now.getTime() < RENEW_DAYS * DAY) return false;
  if (JSON.stringify(namesOf(cert)) !== JSON.stringify(wanted(hosts))) return false;
  return cert.verify({ publicKey: ca.publicKey, signatureOnly: true }, crypto);
}

async function issueServerCert(files: RegistryFiles, ca: x509.X509Certificate, hosts: string[], now: Date) {
  const caKey = await crypto.subtle.importKey("pkcs8", x509.PemConverter.decode(readFileSync(files.caKey, "utf8"))[0]!, ALG, false, ["sign"]);
  const keys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial(),
      subject: `CN=${hosts[0]}`,
      issuer: ca.subject,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + SERVER_DAYS * DAY),
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(hosts.map((host): x509.JsonGeneralName => ({ type: isIP(host) ? "ip" : "dns", value: host }))),
        await x509.AuthorityKeyIdentifierExtension.create(ca, false, crypto),
      ],
    },
    crypto,
  );
  writePrivate(files.key, await pemKey(keys.privateKey));
  writePublic(files.cert, cert.toString("pem"));
}

/**
 * The registry's CA (made once, kept) and its server certificate for `hosts` (the names and
 * addresses nodes reach it at): reissued when missing, for other hosts, from another CA, or
 * within 30 days of its end. Returns the CA's PEM, which every node and the engine trust.
 */
export async function ensureCertificates(files: RegistryFiles, hosts: string[], now = new Date()): Promise<{ caPem: string; issued: boolean }> {
  if (hosts.length === 0) throw invalid("the registry needs at least one host name or address for its certificate");
  if (!existsSync(files.caCert) || !existsSync(files.caKey)) await createCa(files, now);
  const caPem = readFileSync(files.caCert, "utf8");
  const ca = new x509.X509Certificate(caPem);
  if (await serverCertFits(files, ca, hosts, now)) return { caPem, issued: false };
  await issueServerCert(files, ca, hosts, now);
  return { caPem, issued: true };
}
