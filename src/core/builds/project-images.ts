import type { ImageBuilder } from "../../ports/image-builder.ts";
import { conflict } from "../errors.ts";
import { LABELS } from "./image-name.ts";

/**
 * Removes every image Berth built for a project, tagged or left dangling by a later build of
 * the same tag. Only images labelled with the project are listed, and only their
 * `berth/<project>/…` tags are removed: a copy someone tagged under another name is theirs
 * and stays. Removal is never forced: an image a container still uses is named in the error,
 * after the others are gone, so running the delete again finishes the job.
 */
export async function removeProjectImages(builder: Pick<ImageBuilder, "listImages" | "removeImage">, project: string): Promise<number> {
  const images = await builder.listImages({ [LABELS.managed]: "true", [LABELS.project]: project });
  const ours = (tag: string) => tag.startsWith(`berth/${project}/`);
  const kept: string[] = [];
  let removed = 0;
  for (const image of images) {
    if (image.tags.some((tag) => !ours(tag))) continue;
    try {
      // By tag: removing an image's last tag removes the image; an untagged one goes by id.
      for (const reference of image.tags.length ? image.tags : [image.id]) await builder.removeImage(reference);
      removed++;
    } catch {
      kept.push(image.tags[0] ?? image.id);
    }
  }
  if (kept.length) throw conflict(`image ${kept.join(", ")} of project "${project}" is still in use by a container; remove that container and delete the project again`);
  return removed;
}
