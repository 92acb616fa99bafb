import * as acme from "acme-client";
import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import { AcmeFailure, type AcmeFailureKind, type AcmeIssuer, type ChallengeHooks } from "../../ports/acme.ts";
import type { CertStore } from "../../ports/cert-store.ts";
import type { SecretBox } from "../../ports/secret-box.ts";

export interface AcmeSettings {
  directory: string;
  email?: string;
  /** PEM of an extra CA to trust for the directory's HTTPS (Pebble, a private ACME server). */
  extraCa?: string;
}

/** ACME problem types (RFC 8555 §6.7) → what the user can do about them. */
const KINDS: Record<string, AcmeFailureKind> = {
  dns: "dns",
  connection: "unreachable",
  unauthorized: "unreachable",
  incorrectResponse: "unreachable",
  tls: "unreachable",
  rateLimited: "rate_limited",
  rejectedIdentifier: "rejected",
  caa: "rejected",
};

/** Turns whatever acme-client or the network threw into a one-line, classified failure. */
export function classify(error: unknown): AcmeFailure {
  if (error instanceof AcmeFailure) return error;
  const err = error as { message?: string; code?: string; type?: string; response?: { data?: { type?: string; detail?: string } } };
  const message = String(err.message ?? error).split("\n")[0]!;
  const type = err.response?.data?.type ?? err.type ?? /urn:ietf:params:acme:error:(\w+)/.exec(message)?.[0];
  const short = type?.replace("urn:ietf:params:acme:error:", "");
  if (short && KINDS[short]) return new AcmeFailure(KINDS[short]!, message);
  if (err.code && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(err.code)) return new AcmeFailure("ca_unreachable", `${err.code}: ${message}`);
  if (/certificate|ECONNREFUSED|ENOTFOUND|socket|timed? ?out/i.test(message) && !short) return new AcmeFailure("ca_unreachable", message);
  // A failed authorization's detail names the challenge's own error (connection refused, NXDOMAIN...).
  if (/NXDOMAIN|no valid A records|DNS problem|SERVFAIL/i.test(message)) return new AcmeFailure("dns", message);
  if (/connection refused|connect: |Fetching http|timeout during connect|could not connect/i.test(message)) return new AcmeFailure("unreachable", message);
  return new AcmeFailure("other", message);
}

/**
 * The ACME CA through acme-client: the account key is made once per install and directory,
 * sealed in the state DB; each order is one hostname over HTTP-01 with a new ECDSA P-256 key.
 */
export function createAcmeIssuer(settings: AcmeSettings, store: CertStore, box: SecretBox): AcmeIssuer {
  // acme-client sets no timeout: a CA that stops answering would hold the (serial) order queue forever.
  acme.axios.defaults.timeout = 30_000;
  if (settings.extraCa) {
    // acme-client talks through one shared axios instance; its agent is the only place for a CA.
    acme.axios.defaults.httpsAgent = new Agent({ ca: [...rootCertificates, settings.extraCa], keepAlive: true });
  }
  let client: acme.Client | null = null;

  async function account(): Promise<acme.Client> {
    if (client) return client;
    let record = store.account(settings.directory);
    if (!record) {
      const key = (await acme.crypto.createPrivateEcdsaKey("P-256")).toString();
      record = { directory: settings.directory, keySealed: box.seal(key), accountUrl: null, email: settings.email ?? null };
      store.putAccount(record);
    }
    const made = new acme.Client({ directoryUrl: settings.directory, accountKey: box.open(record.keySealed), accountUrl: record.accountUrl ?? undefined, backoffAttempts: 10, backoffMin: 500, backoffMax: 5000 });
    if (!record.accountUrl || record.email !== (settings.email ?? null)) {
      await made.createAccount({ termsOfServiceAgreed: true, contact: settings.email ? [`mailto:${settings.email}`] : undefined });
      if (record.accountUrl && settings.email) await made.updateAccount({ contact: [`mailto:${settings.email}`] });
      store.putAccount({ ...record, accountUrl: made.getAccountUrl(), email: settings.email ?? null });
    }
    client = made;
    return made;
  }

  return {
    async issue(host: string, hooks: ChallengeHooks) {
      try {
        const acmeClient = await account();
        const [key, csr] = await acme.crypto.createCsr({ commonName: host, altNames: [host] }, await acme.crypto.createPrivateEcdsaKey("P-256"));
        const certPem = await acmeClient.auto({
          csr,
          email: settings.email,
          termsOfServiceAgreed: true,
          challengePriority: ["http-01"],
          // The CA checks the answer itself; a self-check from here would need this host's own DNS view.
          skipChallengeVerification: true,
          challengeCreateFn: async (_authz, challenge, keyAuthorization) => hooks.publish(challenge.token, keyAuthorization),
          challengeRemoveFn: async (_authz, challenge) => hooks.withdraw(challenge.token),
        });
        return { certPem, keyPem: key.toString() };
      } catch (error) {
        throw classify(error);
      }
    },
  };
}
