import type Dockerode from "dockerode";
import { BerthError } from "../../core/errors.ts";
import type { LocalImage, PushedImage } from "../../ports/image-registry.ts";
import { engineMessage } from "../docker/engine-errors.ts";
import type { RegistryCredentials } from "./credentials.ts";
import { registryName } from "./reference.ts";

interface PushEvent {
  status?: string;
  error?: string;
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

/**
 * Tags the engine's image (by id: the release froze that one, whatever its tag points at now)
 * as `ADDRESS/repository:tag` and pushes it with the registry's account. The digest is the one
 * the registry gave back for the manifest it stored.
 */
export async function pushImage(docker: Dockerode, address: string, credentials: RegistryCredentials, image: LocalImage): Promise<PushedImage> {
  const { repository, tag } = registryName(image.reference);
  const target = `${address}/${repository}`;
  try {
    await docker.getImage(image.id).tag({ repo: target, tag });
    const stream = await docker.getImage(`${target}:${tag}`).push({ tag, authconfig: { username: credentials.username, password: credentials.password, serveraddress: address } });
    const events = await new Promise<PushEvent[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (error: Error | null, output: PushEvent[]) => (error ? reject(error) : resolve(output))),
    );
    const failed = events.find((event) => event.error)?.error;
    if (failed) throw new Error(failed);
    const digest = events.find((event) => event.aux?.Digest)?.aux?.Digest;
    if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error("the registry reported no digest for the pushed manifest");
    return { image: `${target}:${tag}`, digest };
  } catch (error) {
    throw new BerthError("unavailable", `pushing ${image.reference} to the fleet's registry at ${address}: ${engineMessage(error)}`);
  }
}
