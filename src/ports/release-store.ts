import type { BlockSpec } from "../core/project-file/schema.ts";
import type { Upstream } from "./runtime.ts";

/** One block as a release froze it. */
export interface ReleaseBlock {
  name: string;
  /** The image reference (tag) and the engine's id for it: a release never rebuilds. */
  image: string;
  imageId: string;
  commit: string | null;
  /** The block's config for this environment, overrides applied. */
  spec: BlockSpec;
  /** The variables' fingerprint when the release was made: `status` compares it with today's. */
  fingerprint?: string;
  /** The variables as deployed; secret values stay sealed by the secret box. */
  vars?: Record<string, RecordedVariable>;
}

export interface RecordedVariable {
  value: string;
  secret: boolean;
}

/** Why a release exists and who started it. */
export interface ReleaseOrigin {
  /** "deploy", "promote from dev#3", "rollback to #2", "push abc1234", "restart", "scale", "start". */
  source?: string;
  /** A token's name, or "webhook" and the like. */
  actor?: string;
}

/** building: images are being built or found; deploying: blocks are frozen and rolling out. */
export type ReleaseStatus = "building" | "deploying" | "deployed" | "failed";

export interface ReleaseRecord {
  id: number;
  project: string;
  environment: string;
  number: number;
  blocks: ReleaseBlock[];
  status: ReleaseStatus;
  reason: string | null;
  /** What went wrong without failing the release, e.g. "post-deploy job notify failed (exit 1)". */
  warnings: string[];
  source: string;
  actor: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface ReleaseStore {
  /** A new numbered release in status `building`, with no blocks yet. */
  createRelease(project: string, environment: string, origin?: ReleaseOrigin): ReleaseRecord;
  /** Freezes the blocks and moves to `deploying`; they never change after this. */
  freezeRelease(id: number, blocks: ReleaseBlock[]): ReleaseRecord;
  finishRelease(id: number, status: ReleaseStatus, reason: string | null): ReleaseRecord;
  /** Adds one warning line to the release. */
  addWarning(id: number, warning: string): ReleaseRecord;
  getRelease(id: number): ReleaseRecord | null;
  listReleases(project: string, environment: string, limit: number): ReleaseRecord[];
  /** Release N of an environment, however old. */
  releaseByNumber(project: string, environment: string, number: number): ReleaseRecord | null;
  /** The newest release with status deployed and a number below `before`. */
  deployedBefore(project: string, environment: string, before: number): ReleaseRecord | null;
  /** Releases a previous process left building or deploying. */
  unfinishedReleases(): ReleaseRecord[];
  /** The newest release with status deployed, if any. */
  currentRelease(project: string, environment: string): ReleaseRecord | null;
  /** Image ids used by any release of any environment (image cleanup keeps them). */
  referencedImageIds(): Set<string>;
}

export interface RouteRow {
  host: string;
  /** "" for the whole host, "/block" on a gateway host. */
  pathPrefix: string;
  auth: "none" | "basic" | "gateway";
  upstreams: Upstream[];
  /** The block's `https` and `hsts` keys; absent: "redirect" and false. */
  https?: "redirect" | "optional";
  hsts?: boolean;
}

/** The edge's route table, written by the control plane, read by `berth edge`. */
export interface RouteStore {
  /** Replaces every route of one block of one environment, in one transaction. */
  replaceBlockRoutes(project: string, environment: string, block: string, routes: RouteRow[]): void;
  removeEnvironmentRoutes(project: string, environment: string): void;
  listRoutes(project: string, environment: string): (RouteRow & { block: string })[];
  /** Who holds routes for these hosts now, any project. */
  hostHolders(hosts: string[]): { host: string; project: string; environment: string; block: string }[];
}

export interface GatewayClientRecord {
  clientId: string;
  name: string;
  createdAt: string;
}

/** Who may pass the edge: website passwords and gateway clients (hashes only). */
export interface AccessStore {
  setBasicAuthUser(ref: { project: string; environment: string; block: string }, username: string, passwordHash: string): void;
  removeBasicAuthUser(ref: { project: string; environment: string; block: string }, username: string): boolean;
  listBasicAuthUsers(ref: { project: string; environment: string; block: string }): string[];
  createGatewayClient(client: { clientId: string; project: string; environment: string; name: string; secretHash: string }): GatewayClientRecord;
  listGatewayClients(project: string, environment: string): GatewayClientRecord[];
  deleteGatewayClient(project: string, environment: string, clientId: string): boolean;
  /** Drops every password and client of an environment (when it is deleted). */
  removeEnvironmentAccess(project: string, environment: string): void;
}
