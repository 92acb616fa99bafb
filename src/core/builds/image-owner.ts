import { forbidden } from "../errors.ts";
import { LABELS } from "./image-name.ts";

/**
 * The project whose Berth-built image a reference names (`berth/<project>/<block>…`, also as
 * `docker.io/berth/…`, which the engine resolves to the same local image), or null.
 */
export function berthImageProject(reference: string): string | null {
  const name = reference.replace(/^(docker\.io|index\.docker\.io)\//, "");
  const match = /^berth\/([a-z0-9-]+)\/[^/]/.exec(name);
  return match ? match[1]! : null;
}

/**
 * Refuses an image another project's build made: it holds that project's code and whatever
 * its build baked in. Checked by name and by the labels the image carries, so an image id or
 * another tag of the same image is refused too.
 */
export function checkOwnImage(project: string, reference: string, labels: Record<string, string> | null): void {
  const byName = berthImageProject(reference);
  const byLabel = labels?.[LABELS.managed] === "true" ? labels[LABELS.project] : undefined;
  const owner = [byName, byLabel].find((p) => p && p !== project);
  if (owner) throw forbidden(`image ${reference} was built by Berth for project "${owner}"; a project may only run its own images`);
}
