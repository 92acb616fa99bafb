export type BuildStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface BuildRecord {
  id: number;
  project: string;
  block: string;
  environment: string;
  status: BuildStatus;
  ref: string | null;
  commit: string | null;
  image: string | null;
  imageId: string | null;
  cacheHit: boolean;
  /** Why a build failed or was cancelled: one line. */
  reason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export type BuildUpdate = Partial<Pick<BuildRecord, "status" | "ref" | "commit" | "image" | "imageId" | "cacheHit" | "reason" | "startedAt" | "finishedAt">>;

export interface BuildStore {
  createBuild(build: { project: string; block: string; environment: string; ref: string | null }): BuildRecord;
  updateBuild(id: number, update: BuildUpdate): BuildRecord;
  getBuild(id: number): BuildRecord | null;
  listBuilds(project: string, limit: number): BuildRecord[];
  /** Builds left queued or running by a previous process. */
  unfinishedBuilds(): BuildRecord[];
}

/** Build output, kept after the build for `berth logs --build`. */
export interface BuildLogStore {
  append(buildId: number, lines: string[]): void;
  read(buildId: number): string[];
}
