import { AcmeFailure, type AcmeFailureKind, type AcmeIssuer } from "../../ports/acme.ts";
import type { CertRecord, CertStore } from "../../ports/cert-store.ts";
import type { SecretBox } from "../../ports/secret-box.ts";
import { certInfo } from "./cert-info.ts";
import { certificateHosts } from "./hosts.ts";
import { backoffMs, newRecord, orderDue, renewalTime, servable, shouldWarn } from "./schedule.ts";

export interface CertManagerDeps {
  store: CertStore;
  issuer: AcmeIssuer;
  box: SecretBox;
  consoleHost?: string;
  /** The wait after a first failure; later ones double it (see schedule.ts). */
  retryMs: number;
  /** Told once a day about a certificate near its end whose renewal keeps failing (notifications). */
  onExpiring?(record: CertRecord): void;
  /** Orders started in any hour, at most: well under Let's Encrypt's limits for one account. */
  ordersPerHour?: number;
  now?: () => number;
}

/** How often the wanted hosts are compared with the certificates: DB reads only, no CA traffic unless due. */
export const TICK_MS = 5_000;

const WHY: Record<AcmeFailureKind, string> = {
  dns: "DNS does not point here",
  unreachable: "challenge unreachable",
  rate_limited: "rate limited by the CA",
  rejected: "the CA refuses this name",
  ca_unreachable: "cannot reach the ACME directory",
  other: "order failed",
};

export const failureReason = (error: unknown) => {
  const failure = error instanceof AcmeFailure ? error : new AcmeFailure("other", String((error as Error)?.message ?? error));
  return `${WHY[failure.kind]}: ${failure.message.split("\n")[0]!.slice(0, 300)}`;
};

/**
 * Keeps every host that should have a certificate supplied with one: orders new hosts, renews
 * at two thirds of the lifetime, retries failures with back-off. Level-based: each tick reads the
 * routed hosts and the certificates from the store. Orders run one at a time.
 */
export function createCertManager(deps: CertManagerDeps) {
  const now = deps.now ?? Date.now;
  const limit = deps.ordersPerHour ?? 30;
  const started: number[] = [];
  let busy: Promise<void> | null = null;
  let again = false;
  // Where order logs go: serve's output once run() started, for checks asked by the API too.
  let runLog: (line: string) => void = () => {};

  const wanted = () => certificateHosts(deps.store.routedHosts(), deps.consoleHost);

  async function order(record: CertRecord, log: (line: string) => void) {
    const renewing = servable(record, now());
    deps.store.put({ ...record, source: "acme", status: renewing ? "renewing" : "pending", nextAttemptAt: null });
    started.push(now());
    log(`certs: ${renewing ? "renewing" : "ordering"} a certificate for ${record.host}`);
    try {
      const issued = await deps.issuer.issue(record.host, {
        publish: (token, keyAuthorization) => deps.store.putChallenge(token, keyAuthorization, record.host),
        withdraw: (token) => deps.store.removeChallenge(token),
      });
      const info = certInfo(issued.certPem);
      deps.store.put({
        ...record,
        source: "acme",
        status: "valid",
        certPem: issued.certPem,
        keySealed: deps.box.seal(issued.keyPem),
        ...info,
        reason: null,
        failures: 0,
        nextAttemptAt: new Date(renewalTime(info.notBefore, info.notAfter)).toISOString(),
        warnedAt: null,
      });
      log(`certs: ${record.host} has a certificate from ${info.issuer}, valid until ${info.notAfter}`);
    } catch (error) {
      const failures = record.failures + 1;
      const reason = failureReason(error);
      const next = new Date(now() + backoffMs(failures, deps.retryMs)).toISOString();
      deps.store.put({ ...record, source: "acme", status: "failed", reason, failures, nextAttemptAt: next });
      log(`certs: ${record.host}: ${reason}; next attempt at ${next}`);
    }
  }

  async function tick(log: (line: string) => void) {
    const hosts = wanted();
    for (const host of hosts) if (!deps.store.get(host)) deps.store.put(newRecord(host, now()));
    for (const host of hosts) {
      const record = deps.store.get(host);
      if (!record || !orderDue(record, now())) continue;
      while (started.length && now() - started[0]! > 3_600_000) started.shift();
      if (started.length >= limit) {
        log(`certs: ${limit} orders in the last hour; ${host} waits`);
        break;
      }
      await order(record, log);
    }
    for (const record of deps.store.list()) {
      if (!shouldWarn(record, now())) continue;
      log(`certs: WARNING ${record.host} expires at ${record.notAfter} and renewal keeps failing (${record.reason})`);
      deps.onExpiring?.(record);
      deps.store.put({ ...record, warnedAt: new Date(now()).toISOString() });
    }
  }

  /** One pass; a call while one runs asks for another right after it. */
  function check(given?: (line: string) => void): Promise<void> {
    const log = given ?? runLog;
    if (busy) {
      again = true;
      return busy;
    }
    busy = (async () => {
      do {
        again = false;
        try {
          await tick(log);
        } catch (error) {
          log(`certs: check failed: ${(error as Error).message.split("\n")[0]}`);
        }
      } while (again);
    })().finally(() => (busy = null));
    return busy;
  }

  return {
    check,
    /** Checks at once, then every few seconds; returns the stop function. */
    run(log: (line: string) => void): () => void {
      runLog = log;
      void check(log);
      const timer = setInterval(() => void check(log), TICK_MS);
      return () => clearInterval(timer);
    },
    wanted,
  };
}

export type CertManager = ReturnType<typeof createCertManager>;
