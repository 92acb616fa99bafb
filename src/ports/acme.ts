/** What an order needs from its caller: where to publish the HTTP-01 answer, and for how long. */
export interface ChallengeHooks {
  publish(token: string, keyAuthorization: string): Promise<void> | void;
  withdraw(token: string): Promise<void> | void;
}

export interface IssuedCertificate {
  /** The leaf first, then the chain the CA sent. */
  certPem: string;
  keyPem: string;
}

/** Why an order failed, sorted into what a user can act on. */
export type AcmeFailureKind = "dns" | "unreachable" | "rate_limited" | "rejected" | "ca_unreachable" | "other";

export class AcmeFailure extends Error {
  constructor(
    readonly kind: AcmeFailureKind,
    message: string,
  ) {
    super(message);
    this.name = "AcmeFailure";
  }
}

/** An ACME CA: one order per hostname, validated over HTTP-01. */
export interface AcmeIssuer {
  issue(host: string, hooks: ChallengeHooks): Promise<IssuedCertificate>;
}
