/** Which service a backup belongs to. */
export interface ServicePlace {
  project: string;
  environment: string;
  block: string;
}

/** One dump of a catalog service, compressed, as kept on disk beside its record. */
export interface ServiceBackup {
  /** Sortable and unique per service: the UTC time it was taken, e.g. 20261202T030000Z. */
  id: string;
  project: string;
  environment: string;
  block: string;
  template: string;
  version: string;
  /** The job run that took it. */
  runId: number | null;
  createdAt: string;
  /** Bytes of the compressed file, and its SHA-256 (what `sha256sum FILE` prints). */
  bytes: number;
  sha256: string;
  /** Absolute path of the compressed dump. */
  file: string;
}

/** Where service dumps are kept: one folder per service, a compressed file and a JSON record each. */
export interface ServiceBackupStore {
  /**
   * Compresses `dump` into a new backup as it arrives; the backup exists (is listed) only once
   * the dump ended and the file is complete. A dump that throws leaves nothing behind.
   */
  save(meta: Omit<ServiceBackup, "bytes" | "sha256" | "file" | "createdAt" | "id">, format: string, dump: AsyncIterable<Uint8Array>): Promise<ServiceBackup>;
  /** Newest first. */
  list(place: ServicePlace): ServiceBackup[];
  /** The dump, decompressed, after checking the file still has its recorded checksum. */
  read(place: ServicePlace, id: string): Promise<AsyncIterable<Uint8Array>>;
  remove(place: ServicePlace, id: string): void;
}
