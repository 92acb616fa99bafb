/** An image on this machine's engine, as a release froze it: its reference and the engine's id. */
export interface LocalImage {
  reference: string;
  id: string;
}

/** An image as the fleet's registry holds it: the reference nodes pull, and the digest that pins it. */
export interface PushedImage {
  /** `HOST:PORT/repository:tag` */
  image: string;
  /** `sha256:…`, as the registry reports it (its Docker-Content-Digest). */
  digest: string;
}

/** The registry every node of a fleet pulls from. */
export interface ImageRegistry {
  /** Pushes a local image; returns where nodes pull it and the registry's digest of it. */
  push(image: LocalImage): Promise<PushedImage>;
}
