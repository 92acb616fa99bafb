export interface BuildLimits {
  memoryBytes: number;
  /** CPUs the build may use, e.g. 1.5. */
  cpus: number;
  timeoutMs: number;
}

export interface ImageBuildRequest {
  /** The build context: a folder on disk (`.dockerignore` in it is honoured). */
  contextDir: string;
  /** Dockerfile path relative to contextDir; ignored when `dockerfileText` is given. */
  dockerfile?: string;
  /** A generated Dockerfile (presets); sent inside the context, never written to the checkout. */
  dockerfileText?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  /** Full image reference to tag the result with, e.g. berth/todo-api:3f2a… */
  tag: string;
  labels: Record<string, string>;
  limits: BuildLimits;
  signal?: AbortSignal;
  /** Each line of build output, as it comes. */
  onLog(line: string): void;
}

export interface ImageInfo {
  id: string;
  tags: string[];
  labels: Record<string, string>;
  createdAt: number;
}

/**
 * Builds and manages images on the container engine. A failed build throws BerthError whose
 * message is one line naming the reason (missing Dockerfile, a step's exit code, timeout,
 * out of memory, cancelled).
 */
export interface ImageBuilder {
  build(request: ImageBuildRequest): Promise<{ imageId: string }>;
  /** The image id for a reference, or null when the engine does not have it. */
  findImage(reference: string): Promise<string | null>;
  /** Images carrying every given label (Berth only ever lists its own). */
  listImages(labels: Record<string, string>): Promise<ImageInfo[]>;
  removeImage(id: string): Promise<void>;
}
