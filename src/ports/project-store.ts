import type { ProjectFile } from "../core/project-file/schema.ts";

export interface ProjectSummary {
  name: string;
  blocks: number;
  environments: string[];
  updatedAt: string;
}

/** Project definitions: blocks, environments and per-environment overrides. */
export interface ProjectStore {
  listProjects(): ProjectSummary[];
  loadProject(name: string): ProjectFile | null;
  /** Makes the stored project match `file` exactly, in one transaction; ids of kept rows stay. */
  saveProject(file: ProjectFile): void;
  deleteProject(name: string): boolean;
  /** When the environment was stopped (`berth env stop`), or null while it runs. */
  stoppedSince(project: string, environment: string): string | null;
  setStopped(project: string, environment: string, stopped: boolean): void;
}
