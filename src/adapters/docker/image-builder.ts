import type Dockerode from "dockerode";
import type { ImageBuilder, ImageInfo } from "../../ports/image-builder.ts";
import { buildImage } from "./build-image.ts";
import { isNotFound, toBerthError } from "./engine-errors.ts";

/** The image builder port on a Docker engine (classic builder), through dockerode. */
export function createImageBuilder(docker: Dockerode): ImageBuilder {
  return {
    build: (request) => buildImage(docker, request),

    async findImage(reference) {
      try {
        return (await docker.getImage(reference).inspect()).Id;
      } catch (error) {
        if (isNotFound(error)) return null;
        throw toBerthError(error, `looking up image ${reference}`);
      }
    },

    async listImages(labels) {
      // The engine filters: with many images on the box, only Berth's own come back.
      const label = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
      const images = await docker.listImages({ filters: { label } }).catch((error: unknown) => {
        throw toBerthError(error, "listing images");
      });
      return images.map(
        (image): ImageInfo => ({
          id: image.Id,
          tags: (image.RepoTags ?? []).filter((tag) => tag !== "<none>:<none>"),
          labels: image.Labels ?? {},
          createdAt: image.Created * 1000,
        }),
      );
    },

    async removeImage(id) {
      try {
        // Never forced: an image a container still uses stays, and the engine says so (409).
        await docker.getImage(id).remove({ force: false });
      } catch (error) {
        if (!isNotFound(error)) throw toBerthError(error, `removing image ${id}`);
      }
    },
  };
}
