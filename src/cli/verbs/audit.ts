import { unwrap } from "../../client/index.ts";
import { json, table } from "../output.ts";
import type { Verb } from "../verb.ts";

export const auditVerb: Verb = {
  name: "audit",
  summary: "Who changed what, when, from where, and how it ended (newest first)",
  options: { project: { type: "string" }, since: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" } },
  optionHelp: ["--project P    one project's entries", "--since T      1h, 7d… or an RFC 3339 time", "--limit N      at most N entries (default 100)", "--json         print JSON"],
  async run({ values, client, out }) {
    const query = { project: values.project as string | undefined, since: values.since as string | undefined, limit: values.limit as string | undefined };
    const entries = await unwrap((await client()).audit.$get({ query }));
    if (values.json) return out(json(entries));
    const where = (e: (typeof entries)[number]) => [e.project, e.environment].filter(Boolean).join("/") || "-";
    out(table(["AT", "USER", "VIA", "FROM", "ACTION", "WHERE", "OUTCOME"], entries.map((e) => [e.at.replace("T", " ").slice(0, 19), e.user ?? "-", e.via, e.ip ?? "-", e.action, where(e), e.outcome])));
  },
};
