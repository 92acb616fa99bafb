import type { RouteRow } from "../../ports/release-store.ts";
import type { Upstream } from "../../ports/runtime.ts";
import type { BlockSpec } from "../project-file/schema.ts";

export interface Place {
  project: string;
  environment: string;
  domain: string;
}

export const blockHost = (p: Place, block: string) => `${block}.${p.environment}.${p.project}.${p.domain}`;
export const gatewayHost = (p: Place) => `gateway.${p.environment}.${p.project}.${p.domain}`;

/** The edge routes a block gets: websites and public APIs by host, gateway APIs by path; nothing else is routed. */
export function routesFor(place: Place, block: string, spec: BlockSpec, upstreams: Upstream[]): RouteRow[] {
  const hosts = () => [blockHost(place, block), ...(spec.domains ?? [])];
  const tls = { https: spec.https ?? "redirect", hsts: spec.hsts ?? false } as const;
  if (spec.kind === "website") {
    const auth = spec.password ? "basic" : "none";
    return hosts().map((host) => ({ host, pathPrefix: "", auth, upstreams, ...tls }));
  }
  if (spec.kind !== "microservice") return [];
  const expose = spec.expose ?? "gateway";
  if (expose === "public") return hosts().map((host) => ({ host, pathPrefix: "", auth: "none", upstreams, ...tls }));
  if (expose === "gateway") return [{ host: gatewayHost(place), pathPrefix: `/${block}`, auth: "gateway", upstreams, ...tls }];
  return [];
}

/** How the edge serves HTTPS: its port, and whether a host has a certificate in force now. */
export interface HttpsEdge {
  port: number;
  hasCertificate(host: string): boolean;
}

/** The address a user opens for a block, or null when it is not routed: https on the first of its hosts with a certificate. */
export function blockUrl(place: Place, block: string, spec: BlockSpec, edgePort: number, https?: HttpsEdge): string | null {
  const routes = routesFor(place, block, spec, []);
  const secure = https && routes.find((route) => https.hasCertificate(route.host));
  if (secure) return `https://${secure.host}${https.port === 443 ? "" : `:${https.port}`}${secure.pathPrefix}/`;
  const first = routes[0];
  return first ? `http://${first.host}${edgePort === 80 ? "" : `:${edgePort}`}${first.pathPrefix}/` : null;
}
