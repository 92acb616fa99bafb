export type CertStatus = "pending" | "valid" | "renewing" | "failed";
export type CertSource = "acme" | "imported";

/** A host's certificate as the state DB holds it; the key stays sealed here. */
export interface CertRecord {
  host: string;
  source: CertSource;
  status: CertStatus;
  certPem: string | null;
  keySealed: string | null;
  issuer: string | null;
  notBefore: string | null;
  notAfter: string | null;
  reason: string | null;
  failures: number;
  nextAttemptAt: string | null;
  warnedAt: string | null;
}

export interface AcmeAccountRecord {
  directory: string;
  keySealed: string;
  accountUrl: string | null;
  email: string | null;
}

/** Certificates, HTTP-01 answers and the ACME account, written by the control plane only. */
export interface CertStore {
  list(): CertRecord[];
  get(host: string): CertRecord | null;
  /** Creates or replaces the whole record of a host. */
  put(record: CertRecord): void;
  /** Every host the edge routes now, any project (plus none of the challenge rows). */
  routedHosts(): string[];
  putChallenge(token: string, keyAuthorization: string, host: string): void;
  removeChallenge(token: string): void;
  account(directory: string): AcmeAccountRecord | null;
  putAccount(account: AcmeAccountRecord): void;
}
