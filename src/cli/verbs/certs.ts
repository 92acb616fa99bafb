import { readFileSync } from "node:fs";
import { unwrap } from "../../client/index.ts";
import { json, table } from "../output.ts";
import { UsageError, type Verb } from "../verb.ts";

const jsonFlag = { json: { type: "boolean" } } as const;

/** `failed: DNS does not point here: …`, the way the issue of a certificate reads in a list. */
const statusText = (c: { status: string; reason: string | null }) => (c.reason && (c.status === "failed" || c.status === "renewing") ? `${c.status}: ${c.reason}` : c.status);

function readPem(path: string, flag: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export const certVerbs: Verb[] = [
  {
    name: "certs list",
    summary: "TLS certificates: host, issuer, expiry, status and the next attempt",
    options: jsonFlag,
    optionHelp: ["--json   print JSON"],
    async run({ values, client, out, paint }) {
      const { certificates } = await unwrap((await client()).certs.$get());
      if (values.json) return out(json(certificates));
      if (certificates.length === 0) return out("no certificates yet (hosts get one once routed under a public name; see docs/tls.md)");
      const colour = (s: string) => (s === "valid" ? paint(s, "green") : s.startsWith("failed") ? paint(s, "red") : paint(s, "yellow"));
      out(table(["HOST", "SOURCE", "ISSUER", "NOT AFTER", "NEXT ATTEMPT", "STATUS"], certificates.map((c) => [c.host, c.source, c.issuer ?? "-", c.notAfter ?? "-", c.nextAttemptAt ?? "-", colour(statusText(c))])));
    },
  },
  {
    name: "certs renew",
    summary: "Order a new certificate for a host now (an imported one goes back to ACME)",
    args: "HOST",
    options: jsonFlag,
    optionHelp: ["--json   print JSON"],
    async run({ args, values, client, out }) {
      const cert = await unwrap((await client()).certs[":host"].renew.$post({ param: { host: args[0]! } }));
      if (values.json) return out(json(cert));
      out(`ordering a certificate for ${cert.host}; \`berth certs list\` shows how it went`);
    },
  },
  {
    name: "certs import",
    summary: "Serve a certificate from elsewhere for a host (Berth does not renew it)",
    args: "HOST",
    options: { cert: { type: "string" }, key: { type: "string" }, ...jsonFlag },
    optionHelp: ["--cert FILE   PEM certificate, the chain after the leaf", "--key FILE    PEM private key (unencrypted)", "--json        print JSON"],
    async run({ args, values, client, out }) {
      if (typeof values.cert !== "string" || typeof values.key !== "string") throw new UsageError("certs import needs --cert FILE and --key FILE");
      const body = { cert: readPem(values.cert, "--cert"), key: readPem(values.key, "--key") };
      const cert = await unwrap((await client()).certs[":host"].$put({ param: { host: args[0]! }, json: body }));
      if (values.json) return out(json(cert));
      out(`imported a certificate for ${cert.host} from ${cert.issuer ?? "?"}, valid until ${cert.notAfter}`);
    },
  },
];
