import { X509Certificate, createPrivateKey } from "node:crypto";
import { invalid } from "../errors.ts";

export interface CertInfo {
  issuer: string;
  notBefore: string;
  notAfter: string;
}

/** The first certificate of a PEM bundle: who issued it and when it is valid. */
export function certInfo(certPem: string): CertInfo {
  const cert = new X509Certificate(certPem);
  const issuer = /(?:^|\n)O=([^\n]+)/.exec(cert.issuer)?.[1] ?? /(?:^|\n)CN=([^\n]+)/.exec(cert.issuer)?.[1] ?? cert.issuer.replace(/\n/g, ", ");
  return { issuer, notBefore: new Date(cert.validFrom).toISOString(), notAfter: new Date(cert.validTo).toISOString() };
}

/** A certificate and key someone brings: each checked, with a one-line reason when it is not usable for `host`. */
export function checkImported(host: string, certPem: string, keyPem: string, now: number): CertInfo {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw invalid("cert: not a PEM certificate");
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw invalid("key: not a PEM private key (an encrypted key must be decrypted first)");
  }
  if (!cert.checkPrivateKey(key)) throw invalid("key: does not belong to the certificate");
  if (!cert.checkHost(host)) throw invalid(`cert: does not cover ${host} (its names: ${cert.subjectAltName ?? cert.subject})`);
  const info = certInfo(certPem);
  if (Date.parse(info.notAfter) <= now) throw invalid(`cert: expired on ${info.notAfter}`);
  return info;
}
