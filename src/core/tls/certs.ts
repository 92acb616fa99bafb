import type { CertStatus, CertStore } from "../../ports/cert-store.ts";
import type { SecretBox } from "../../ports/secret-box.ts";
import { invalid, notFound } from "../errors.ts";
import { checkImported } from "./cert-info.ts";
import type { CertManager } from "./cert-manager.ts";
import { isPublicName } from "./hosts.ts";
import { newRecord, shownStatus } from "./schedule.ts";

/** A certificate as users see it: never the key. */
export interface CertView {
  host: string;
  source: "acme" | "imported";
  status: CertStatus;
  issuer: string | null;
  notAfter: string | null;
  reason: string | null;
  nextAttemptAt: string | null;
}

export interface CertsDeps {
  store: CertStore;
  box: SecretBox;
  manager: CertManager;
  now?: () => number;
}

const HOST = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

/** The certificates use cases: list, renew now, import. The ordering itself runs in the cert manager. */
export function createCerts(deps: CertsDeps) {
  const now = deps.now ?? Date.now;
  const view = (host: string): CertView => {
    const r = deps.store.get(host);
    if (!r) throw notFound(`certificate for ${host}`);
    return { host: r.host, source: r.source, status: shownStatus(r, now()), issuer: r.issuer, notAfter: r.notAfter, reason: r.reason, nextAttemptAt: r.nextAttemptAt };
  };
  const hostName = (raw: string) => {
    const host = raw.toLowerCase().replace(/\.$/, "");
    if (!HOST.test(host)) throw invalid(`not a host name: ${JSON.stringify(raw)}`);
    return host;
  };

  return {
    list: (): CertView[] => deps.store.list().map((r) => view(r.host)),

    /** Orders a new certificate for the host now, whatever its state (an imported one goes back to ACME). */
    renew(raw: string): CertView {
      const host = hostName(raw);
      if (!isPublicName(host)) throw invalid(`${host} cannot get a certificate from a public CA (localhost names never go to ACME)`);
      const record = deps.store.get(host);
      // Only hosts the manager looks after get ordered: a site that is routed now, or the console's.
      if (!deps.manager.wanted().includes(host)) throw notFound(`site ${host} (no route and not the console host)`);
      deps.store.put({ ...(record ?? newRecord(host, now())), source: "acme", nextAttemptAt: new Date(now()).toISOString() });
      void deps.manager.check();
      return view(host);
    },

    /** A certificate from elsewhere: served as it is and never renewed by Berth (renew hands it back to ACME). */
    import(raw: string, certPem: string, keyPem: string): CertView {
      const host = hostName(raw);
      const info = checkImported(host, certPem, keyPem, now());
      deps.store.put({ host, source: "imported", status: "valid", certPem, keySealed: deps.box.seal(keyPem), ...info, reason: null, failures: 0, nextAttemptAt: null, warnedAt: null });
      return view(host);
    },

    run: (logLine: (line: string) => void) => deps.manager.run(logLine),
  };
}

export type Certs = ReturnType<typeof createCerts>;
