import { gitUrl, urlCarriesCredentials } from "../../core/project-file/fields.ts";
import { BerthError } from "../../core/errors.ts";
import { quote } from "./messages.ts";

export type Transport = "http" | "ssh" | "file";

/**
 * The transport of a URL accepted by the project file's `gitUrl` rule (https, http, ssh,
 * file or scp-like user@host:path), or a BerthError for anything else: option-like
 * strings and remote helpers such as `ext::` never reach git.
 */
export function checkUrl(url: string): Transport {
  if (urlCarriesCredentials(url)) {
    throw new BerthError("invalid", `${quote(redactUrl(url))}: a git URL must not carry credentials; store a token with \`berth block git-token PROJECT BLOCK\` instead`);
  }
  if (!gitUrl.safeParse(url).success) {
    throw new BerthError(
      "invalid",
      `${quote(redactUrl(url))} is not a git URL (expected https://, http://, ssh://, file:// or user@host:path)`,
    );
  }
  if (/^https?:\/\//.test(url)) return "http";
  if (url.startsWith("file://")) return "file";
  return "ssh";
}

/** The URL without secrets: no userinfo for http(s), no password for the others. */
export function redactUrl(url: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/@]*@)?(.*)$/s.exec(url);
  if (!match) return url;
  const [, scheme = "", userinfo = "", rest = ""] = match;
  if (!userinfo) return url;
  if (/^https?:\/\/$/i.test(scheme)) return `${scheme}${rest}`;
  const user = userinfo.slice(0, -1).split(":")[0];
  return `${scheme}${user}@${rest}`;
}
