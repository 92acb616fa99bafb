import type Dockerode from "dockerode";
import { BerthError } from "../../core/errors.ts";
import type { LocalImage, PushedImage } from "../../ports/image-registry.ts";
import { engineMessage } from "../docker/engine-errors.ts";
import type { RegistryCredentials } from "./credentials.ts";
import { pushName } from "./reference.ts";

interface PushEvent {
  status?: string;
  error?: string;
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

/**
 * Tags the engine's image (by id: the release froze that one, whatever its tag points at now)
 * as `ADDRESS/repository:tag-<12 hex of the id>` and pushes it with the registry's account. The
 * tag is the image's own, so two pushes side by side cannot move it under each other; the
 * engine's record of the push (the image's repo digests) must name the digest the registry
 * gave back, or the push is refused. The registry tag is removed from the engine afterwards: it
 * is only the push's handle, and left there it would keep the image (a name that is not Berth's
 * build tag) from being freed when the project goes.
 */
export async function pushImage(docker: Dockerode, address: string, credentials: RegistryCredentials, image: LocalImage): Promise<PushedImage> {
  const { repository, tag } = pushName(image.reference, image.id);
  const target = `${address}/${repository}`;
  const local = `${target}:${tag}`;
  try {
    await docker.getImage(image.id).tag({ repo: target, tag });
    const stream = await docker.getImage(local).push({ tag, authconfig: { username: credentials.username, password: credentials.password, serveraddress: address } });
    const events = await new Promise<PushEvent[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (error: Error | null, output: PushEvent[]) => (error ? reject(error) : resolve(output))),
    );
    const failed = events.find((event) => event.error)?.error;
    if (failed) throw new Error(failed);
    const digest = events.find((event) => event.aux?.Digest)?.aux?.Digest;
    if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error("the registry reported no digest for the pushed manifest");
    const pushed = await docker.getImage(image.id).inspect();
    if (!(pushed.RepoDigests ?? []).includes(`${target}@${digest}`)) {
      throw new Error(`the engine does not record ${digest} for image ${image.id.slice(0, 19)}: another image was pushed under ${local}`);
    }
    return { image: local, digest };
  } catch (error) {
    throw new BerthError("unavailable", `pushing ${image.reference} to the fleet's registry at ${address}: ${engineMessage(error)}`);
  } finally {
    // Only the name goes (noprune); an engine that refuses (a container runs the image by that name) keeps it.
    await docker
      .getImage(local)
      .remove({ noprune: true })
      .catch(() => {});
  }
}
