import { invalid } from "../../core/errors.ts";

/** A local image reference split into the registry's repository and tag. */
export interface RegistryName {
  repository: string;
  tag: string;
}

/**
 * Where a local image goes in the fleet's registry: its path without the registry it came from
 * (`postgres:16` → `postgres:16`, `ghcr.io/acme/api:2` → `acme/api:2`, `berth/shop/web:abc-123`
 * stays), and `latest` when it has no tag. A reference pinned by digest gets a tag from it,
 * since a push needs one.
 */
export function registryName(reference: string): RegistryName {
  let rest = reference;
  let tag = "latest";
  const at = rest.indexOf("@");
  if (at >= 0) {
    tag = rest.slice(at + 1).replace(":", "-").slice(0, 128);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > slash) {
    if (at < 0) tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  // A first part with a dot or a port, or `localhost`, names a registry (the engine's own rule).
  const first = rest.split("/")[0]!;
  if (rest.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost")) rest = rest.slice(first.length + 1);
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(rest)) throw invalid(`image reference ${JSON.stringify(reference)} has no repository a registry takes`);
  return { repository: rest, tag };
}

/**
 * The name one engine image is pushed under: the reference's repository, and its tag with 12 hex
 * characters of the engine's image id after it (`web:abc-123` of `sha256:0f1e…` → `web:abc-123-0f1e…`).
 * Two builds under one tag get two names, so pushes side by side cannot push each other's image.
 */
export function pushName(reference: string, imageId: string): RegistryName {
  const hex = /^(?:sha256:)?([0-9a-f]{12})[0-9a-f]*$/.exec(imageId)?.[1];
  if (!hex) throw invalid(`image id ${JSON.stringify(imageId)} of ${reference} is not an engine image id (sha256:…)`);
  const { repository, tag } = registryName(reference);
  // A tag holds at most 128 characters.
  return { repository, tag: `${tag.slice(0, 128 - hex.length - 1)}-${hex}` };
}
