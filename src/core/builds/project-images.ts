import type { ImageBuilder } from "../../ports/image-builder.ts";
import { conflict } from "../errors.ts";
import { LABELS } from "./image-name.ts";

/**
 * Removes every image Berth built for a project, tagged or left dangling by a later build of
 * the same tag. Only images labelled with the project are listed, so nobody else's image is
 * touched. Removal is never forced: an image a container still uses is named in the error,
 * after the others are gone, so running the delete again finishes the job.
 */
export async function removeProjectImages(builder: Pick<ImageBuilder, "listImages" | "removeImage">, project: string): Promise<number> {
  const images = await builder.listImages({ [LABELS.managed]: "true", [LABELS.project]: project });
  const kept: string[] = [];
  for (const image of images) {
    try {
      await builder.removeImage(image.id);
    } catch {
      kept.push(image.tags[0] ?? image.id);
    }
  }
  if (kept.length) throw conflict(`image ${kept.join(", ")} of project "${project}" is still in use by a container; remove that container and delete the project again`);
  return images.length;
}
