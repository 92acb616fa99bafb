// Each screen is a URL (history API): deep links, reloads and the back button all work.
// The server answers the console page for these paths (src/api/console.ts CONSOLE_PATHS).
import { useEffect, useState } from "preact/hooks";

const CHANGED = "berth:navigate";

export interface Place {
  path: string;
  query: URLSearchParams;
}

const here = (): Place => ({ path: location.pathname, query: new URLSearchParams(location.search) });

/** The earlier console's hash places (`#/p/P/E`, `#/api`, `#/certs`), still in old notifications and bookmarks, as today's paths. */
export function fromLegacyHash(hash: string): string | null {
  const [, project, env] = /^#\/p\/([^/]+)(?:\/([^/]+))?\/?$/.exec(hash) ?? [];
  if (project) return env ? `/p/${project}/env/${env}` : `/p/${project}`;
  if (hash === "#/api") return "/api-docs";
  if (hash === "#/certs") return "/certs";
  return null;
}

export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (to === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  window.dispatchEvent(new Event(CHANGED));
}

/** Changes the query string of this page in place (a filter, a time range): no new history entry. */
export function setQuery(values: Record<string, string | undefined>) {
  const query = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === "") query.delete(k);
    else query.set(k, v);
  }
  const text = query.toString();
  navigate(`${location.pathname}${text ? `?${text}` : ""}`, { replace: true });
}

export function usePlace(): Place {
  const [place, setPlace] = useState(() => {
    const legacy = fromLegacyHash(location.hash);
    if (legacy) history.replaceState(null, "", legacy);
    return here();
  });
  useEffect(() => {
    const update = () => setPlace(here());
    window.addEventListener("popstate", update);
    window.addEventListener(CHANGED, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(CHANGED, update);
    };
  }, []);
  return place;
}

/** `pattern` like /p/:project/env/:env; the decoded parameters, or null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const trim = (p: string) => (p.length > 1 ? p.replace(/\/$/, "") : p);
  const want = trim(pattern).split("/");
  const got = trim(path).split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(":")) {
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    } else if (w !== g) return null;
  }
  return params;
}

/** Builds a console path from parts, each encoded. */
export const href = (...parts: (string | number)[]) => `/${parts.map((p) => encodeURIComponent(String(p))).join("/")}`;

/** Same-origin link clicks move through history instead of reloading the page. */
export function followLinks(root: HTMLElement) {
  root.addEventListener("click", (event) => {
    const a = (event.target as Element).closest?.("a");
    if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || a.target) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}
