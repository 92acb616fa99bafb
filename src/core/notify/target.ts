import { invalid } from "../errors.ts";
import { secretRedactor } from "../redact.ts";
import type { NotifyFormat } from "./event.ts";

const MAX_URL = 2048;

/** An http(s) URL a receiver listens at; anything else is refused in one line that does not quote it. */
export function checkReceiverUrl(text: string): URL {
  const problem = (message: string) => invalid(`the notification URL ${message}`, [{ path: "url", message }]);
  if (text.length > MAX_URL) throw problem(`is longer than ${MAX_URL} characters`);
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw problem("is not a URL (expected https://host/path)");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw problem(`must be http or https, not ${url.protocol.replace(/:$/, "")}`);
  if (!url.hostname) throw problem("has no host");
  return url;
}

/** What `notify list` shows of a URL: scheme and host only, since the path and query often hold the token. */
export const maskUrl = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return "(unreadable)";
  }
};

/** The format a well-known receiver takes, for `notify add` without --format. */
export function guessFormat(url: URL): NotifyFormat {
  if (url.hostname === "hooks.slack.com") return "slack";
  if (/^(ptb\.|canary\.)?discord(app)?\.com$/.test(url.hostname) && url.pathname.startsWith("/api/webhooks/")) return "discord";
  return "json";
}

/** Removes a URL and its parts that may carry a token from a message, so no error text quotes them. */
export function urlRedactor(text: string): (message: string) => string {
  const parts = [text];
  try {
    const u = new URL(text);
    parts.push(u.href, `${u.pathname}${u.search}`, u.search.slice(1), decodeURIComponent(u.password), decodeURIComponent(u.username));
  } catch {}
  return secretRedactor(parts.filter((p) => p.length >= 8));
}
