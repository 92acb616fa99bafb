import type Docker from "dockerode";
import { BerthError } from "../../core/errors.ts";

/** Pulls an image for a block that runs a ready image; returns its id. One clear line when it cannot. */
export async function pullImage(docker: Docker, reference: string): Promise<string> {
  try {
    const stream = await docker.pull(reference);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (error: Error | null, events: { error?: string }[]) => {
        const failed = error?.message ?? events.find((e) => e.error)?.error;
        if (failed) reject(new Error(failed));
        else resolve();
      }),
    );
    return (await docker.getImage(reference).inspect()).Id;
  } catch (error) {
    const message = ((error as { json?: { message?: string } }).json?.message ?? (error as Error).message).split("\n")[0];
    throw new BerthError("unavailable", `image ${reference} is not on this machine and could not be pulled: ${message}`);
  }
}
