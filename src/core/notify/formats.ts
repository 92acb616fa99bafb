import { durationMs, type NotifyEvent, type NotifyFormat } from "./event.ts";

/** Long reasons are cut: chat services refuse long messages, and the console has the whole log. */
const REASON_LIMIT = 500;

/** "850 ms", "42 s", "3 min 5 s". */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const rest = seconds % 60;
  return `${Math.floor(seconds / 60)} min${rest ? ` ${rest} s` : ""}`;
}

const clip = (text: string, limit: number) => (text.length <= limit ? text : `${text.slice(0, limit - 1)}…`);
const reasonOf = (event: NotifyEvent) => (event.reason ? clip(event.reason, REASON_LIMIT) : null);

/** "release #4" or "job nightly run #7". */
const subject = (event: NotifyEvent) =>
  event.kind === "job" ? `job ${event.job ?? "?"} run #${event.number}` : event.kind === "certificate" ? `certificate of ${event.host ?? "?"}` : `release #${event.number}`;

/** One plain line: "✅ shop/prod: release #4 deployed in 42 s (deploy)". */
export function summaryLine(event: NotifyEvent): string {
  const took = humanDuration(durationMs(event));
  const how = event.ok ? `${event.status} in ${took}` : `${event.status} after ${took}`;
  const reason = reasonOf(event);
  return `${event.ok ? "✅" : "❌"} ${event.project}/${event.environment}: ${subject(event)} ${how} (${event.source})${reason ? `: ${reason}` : ""}`;
}

/** The `json` format's body, documented in docs/notifications.md; `version` changes only when a field changes meaning. */
export function jsonBody(event: NotifyEvent, url: string) {
  return {
    version: 1,
    event: event.kind,
    project: event.project,
    environment: event.environment,
    ...(event.kind === "job" ? { job: event.job ?? null, run: event.number } : event.kind === "certificate" ? { host: event.host ?? null } : { release: event.number }),
    source: event.source,
    status: event.status,
    ok: event.ok,
    reason: event.reason,
    startedAt: event.startedAt,
    finishedAt: event.finishedAt,
    durationMs: durationMs(event),
    url,
  };
}

/** Slack's mrkdwn treats &, < and > as markup: user text is escaped so it cannot link or ping. */
const slackEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Slack incoming webhook: `text` (notifications and fallbacks) plus blocks. */
export function slackBody(event: NotifyEvent, url: string) {
  const reason = reasonOf(event);
  const place = `${event.project}/${event.environment}`;
  const took = humanDuration(durationMs(event));
  return {
    text: slackEscape(summaryLine(event)),
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: `${event.ok ? "✅" : "❌"} *<${url}|${slackEscape(place)}>*: ${slackEscape(subject(event))} *${slackEscape(event.status)}*${reason ? `\n${slackEscape(reason)}` : ""}` },
      },
      { type: "context", elements: [{ type: "mrkdwn", text: `${slackEscape(event.source)} · ${took}` }] },
    ],
  };
}

const DISCORD_GREEN = 0x2eb67d;
const DISCORD_RED = 0xe01e5a;

/** Discord webhook: `content` plus one embed; no mention in user text ever pings anyone. */
export function discordBody(event: NotifyEvent, url: string) {
  const reason = reasonOf(event);
  return {
    content: clip(summaryLine(event), 2000),
    embeds: [
      {
        title: clip(`${event.project}/${event.environment} ${subject(event)} ${event.status}`, 256),
        url,
        color: event.ok ? DISCORD_GREEN : DISCORD_RED,
        ...(reason && { description: reason }),
        fields: [
          { name: "Source", value: clip(event.source, 1024), inline: true },
          { name: "Duration", value: humanDuration(durationMs(event)), inline: true },
        ],
        timestamp: event.finishedAt,
      },
    ],
    allowed_mentions: { parse: [] as string[] },
  };
}

/** The request body for a receiver of `format`. */
export function messageBody(format: NotifyFormat, event: NotifyEvent, url: string): string {
  const body = format === "slack" ? slackBody(event, url) : format === "discord" ? discordBody(event, url) : jsonBody(event, url);
  return JSON.stringify(body);
}

/**
 * `notify test`: a message of its own kind (`test`), so no receiver mistakes it for a release
 * and acts on it.
 */
export function testBody(format: NotifyFormat, project: string, url: string): string {
  const line = `🔔 Berth: notifications of ${project} reach this receiver`;
  if (format === "slack") return JSON.stringify({ text: slackEscape(line), blocks: [{ type: "section", text: { type: "mrkdwn", text: `🔔 Notifications of *<${url}|${slackEscape(project)}>* reach this channel.` } }] });
  if (format === "discord") return JSON.stringify({ content: line, embeds: [{ title: `Notifications of ${project}`, url, description: "This channel will hear when releases finish." }], allowed_mentions: { parse: [] } });
  return JSON.stringify({ version: 1, event: "test", project, url });
}
