import { asc, eq, sql } from "drizzle-orm";
import type { CertRecord, CertStore } from "../../ports/cert-store.ts";
import type { Db } from "./db.ts";
import { acmeAccounts, acmeChallenges, certificates, edgeRoutes } from "./schema.ts";

const columns = {
  host: certificates.host,
  source: certificates.source,
  status: certificates.status,
  certPem: certificates.certPem,
  keySealed: certificates.keySealed,
  issuer: certificates.issuer,
  notBefore: certificates.notBefore,
  notAfter: certificates.notAfter,
  reason: certificates.reason,
  failures: certificates.failures,
  nextAttemptAt: certificates.nextAttemptAt,
  warnedAt: certificates.warnedAt,
};

export function createCertStore(db: Db): CertStore {
  // Asked once per routed host on every status call: prepared once, not rebuilt each time.
  const byHost = db.select(columns).from(certificates).where(eq(certificates.host, sql.placeholder("host"))).prepare();
  return {
    list: () => db.select(columns).from(certificates).orderBy(asc(certificates.host)).all(),
    get: (host) => byHost.get({ host }) ?? null,
    put(record: CertRecord) {
      const row = { ...record, updatedAt: new Date().toISOString() };
      db.insert(certificates).values(row).onConflictDoUpdate({ target: certificates.host, set: row }).run();
    },
    routedHosts: () => db.selectDistinct({ host: edgeRoutes.host }).from(edgeRoutes).all().map((r) => r.host),
    putChallenge(token, keyAuthorization, host) {
      db.insert(acmeChallenges).values({ token, keyAuthorization, host }).onConflictDoUpdate({ target: acmeChallenges.token, set: { keyAuthorization, host } }).run();
    },
    removeChallenge(token) {
      db.delete(acmeChallenges).where(eq(acmeChallenges.token, token)).run();
    },
    account: (directory) => db.select().from(acmeAccounts).where(eq(acmeAccounts.directory, directory)).get() ?? null,
    putAccount(account) {
      db.insert(acmeAccounts).values(account).onConflictDoUpdate({ target: acmeAccounts.directory, set: account }).run();
    },
  };
}
