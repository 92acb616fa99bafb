import { expect, test } from "bun:test";
import type { ImageBuilder, ImageInfo } from "../../ports/image-builder.ts";
import { removeProjectImages } from "./project-images.ts";

const image = (id: string, project: string, tags: string[]): ImageInfo => ({ id, tags, labels: { "berth.managed": "true", "berth.project": project }, createdAt: 0 });

function fakeEngine(images: ImageInfo[], inUse: string[] = []) {
  const removed: string[] = [];
  const builder: Pick<ImageBuilder, "listImages" | "removeImage"> = {
    listImages: async (labels) => images.filter((i) => Object.entries(labels).every(([k, v]) => i.labels[k] === v)),
    removeImage: async (reference) => {
      if (inUse.includes(reference)) throw new Error("conflict: in use");
      removed.push(reference);
    },
  };
  return { builder, removed };
}

test("project delete removes the project's tagged and dangling images and nothing else", async () => {
  const { builder, removed } = fakeEngine([
    image("sha256:a", "shop", ["berth/shop/web:1-x", "berth/shop/web:2-x"]),
    image("sha256:b", "shop", []),
    image("sha256:c", "shop", ["berth/shop/api:1-x", "mine:keep"]),
    image("sha256:d", "blog", ["berth/blog/web:1-x"]),
  ]);
  expect(await removeProjectImages(builder, "shop")).toBe(2);
  expect(removed).toEqual(["berth/shop/web:1-x", "berth/shop/web:2-x", "sha256:b"]);
});

test("an image still in use is named in the error after the others are removed", async () => {
  const { builder, removed } = fakeEngine([image("sha256:a", "shop", ["berth/shop/web:1-x"]), image("sha256:b", "shop", ["berth/shop/api:1-x"])], ["berth/shop/web:1-x"]);
  await expect(removeProjectImages(builder, "shop")).rejects.toThrow('image berth/shop/web:1-x of project "shop" is still in use by a container');
  expect(removed).toEqual(["berth/shop/api:1-x"]);
});
