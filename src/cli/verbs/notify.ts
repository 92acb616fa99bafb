import { readFileSync } from "node:fs";
import { unwrap } from "../../client/index.ts";
import { NOTIFY_FORMATS, NOTIFY_KINDS, type NotifyFormat, type NotifyKind } from "../../core/notify/event.ts";
import { ago, json, table } from "../output.ts";
import { UsageError, type Verb } from "../verb.ts";

const jsonFlag = { json: { type: "boolean" } } as const;

/** `-` reads the URL from stdin, so a token in it never shows in `ps` or shell history. */
function receiverUrl(arg: string): string {
  if (arg !== "-") return arg;
  const text = readFileSync(0, "utf8").trim();
  if (text === "") throw new UsageError("no URL on stdin");
  return text;
}

function parseEvents(value: string | undefined): NotifyKind[] | undefined {
  if (value === undefined) return undefined;
  const events = value.split(",").map((e) => e.trim()).filter(Boolean);
  const unknown = events.filter((e) => !NOTIFY_KINDS.includes(e as NotifyKind));
  if (events.length === 0 || unknown.length) throw new UsageError(`--events takes a comma-separated list of ${NOTIFY_KINDS.join(", ")}${unknown.length ? `; not ${unknown.join(", ")}` : ""}`);
  return events as NotifyKind[];
}

function parseFormat(value: string | undefined): NotifyFormat | undefined {
  if (value !== undefined && !NOTIFY_FORMATS.includes(value as NotifyFormat)) throw new UsageError(`--format must be one of ${NOTIFY_FORMATS.join(", ")}`);
  return value as NotifyFormat | undefined;
}

function checkId(arg: string): string {
  if (!/^[1-9][0-9]*$/.test(arg)) throw new UsageError(`ID is the number notify list shows, not "${arg}"`);
  return arg;
}

export const notifyVerbs: Verb[] = [
  {
    name: "notify add",
    summary: "POST a message to URL when a release (or job run) of the project finishes; URL `-` reads it from stdin",
    args: "PROJECT URL",
    options: { format: { type: "string" }, events: { type: "string" }, ...jsonFlag },
    optionHelp: [
      `--format F   ${NOTIFY_FORMATS.join(" | ")} (default: slack or discord for their webhook URLs, json otherwise)`,
      `--events E   comma-separated: ${NOTIFY_KINDS.join(",")} (default: all)`,
      "--json       print the receiver as JSON",
    ],
    async run({ args, values, client, out }) {
      const body = { url: receiverUrl(args[1]!), format: parseFormat(values.format as string | undefined), events: parseEvents(values.events as string | undefined) };
      const added = await unwrap((await client()).projects[":project"].notifications.$post({ param: { project: args[0]! }, json: body }));
      if (values.json) return out(json(added));
      out(`notification ${added.id}: ${added.target} (${added.format}) on ${added.events.join(", ")}`);
    },
  },
  {
    name: "notify list",
    summary: "A project's notification receivers (URLs masked) and how their last delivery went",
    args: "PROJECT",
    options: jsonFlag,
    async run({ args, values, client, out, paint }) {
      const { notifications } = await unwrap((await client()).projects[":project"].notifications.$get({ param: { project: args[0]! } }));
      if (values.json) return out(json(notifications));
      if (notifications.length === 0) return out(`no notifications for ${args[0]}: berth notify add ${args[0]} URL`);
      out(table(
        ["ID", "TARGET", "FORMAT", "EVENTS", "LAST", "WHEN", "ERROR"],
        notifications.map((n) => [
          n.id, n.target, n.format, n.events.join(","),
          n.last ? paint(n.last.status, n.last.status === "delivered" ? "green" : n.last.status === "failed" ? "red" : "yellow") : "never",
          n.last ? `${ago(n.last.at)} (${n.last.event})` : null,
          n.last?.error,
        ]),
      ));
    },
  },
  {
    name: "notify test",
    summary: "Send a test message to one receiver now and say how it went",
    args: "PROJECT ID",
    options: jsonFlag,
    async run({ args, values, client, out }) {
      const route = (await client()).projects[":project"].notifications[":id"].test;
      const tested = await unwrap(route.$post({ param: { project: args[0]!, id: checkId(args[1]!) } }));
      if (values.json) out(json(tested));
      else if (tested.last?.status === "delivered") out(`test message delivered to ${tested.target}`);
      if (tested.last?.status !== "delivered") throw new Error(`the test message to ${tested.target} failed: ${tested.last?.error ?? "not sent"}`);
    },
  },
  {
    name: "notify remove",
    summary: "Remove a notification receiver",
    args: "PROJECT ID",
    async run({ args, client, out }) {
      await unwrap((await client()).projects[":project"].notifications[":id"].$delete({ param: { project: args[0]!, id: checkId(args[1]!) } }));
      out(`removed notification ${args[1]}`);
    },
  },
];
