import type Docker from "dockerode";

const gone = () => Promise.reject(Object.assign(new Error("(HTTP code 404) no such object"), { statusCode: 404 }));

/**
 * An engine with nothing in it, for unit tests of state and the API: removing an environment
 * finds no container, network or volume, and never reaches the real Docker socket. Anything
 * else asked of it fails the test loudly (that test belongs in the slow lane).
 */
export function emptyEngine(): Docker {
  const known: Record<string, unknown> = {
    listContainers: async () => [],
    listVolumes: async () => ({ Volumes: [], Warnings: [] }),
    listNetworks: async () => [],
    listImages: async () => [],
    getNetwork: () => ({ inspect: gone, remove: gone }),
    getVolume: () => ({ inspect: gone, remove: gone }),
    getContainer: () => ({ inspect: gone, remove: gone, stop: gone }),
    getImage: () => ({ inspect: gone, remove: gone }),
  };
  return new Proxy({} as Docker, {
    get(_, property) {
      if (typeof property === "string" && property in known) return known[property];
      if (property === "then") return undefined;
      throw new Error(`the empty test engine has no ${String(property)}: a test that needs Docker belongs in the slow lane`);
    },
  });
}
