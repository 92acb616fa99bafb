import { createHash } from "node:crypto";

/** Where install.sh and `berth upgrade` download releases from, unless told otherwise. */
export const RELEASES = "https://github.com/berth-platform/berth/releases";

/** The folder of one release: latest, or the one a version names. */
export const releaseFolder = (version?: string) => (version ? `${RELEASES}/download/v${version.replace(/^v/, "")}` : `${RELEASES}/latest/download`);

export const binaryName = (arch: string = process.arch) => {
  if (arch === "x64") return "berth-linux-x64";
  if (arch === "arm64") return "berth-linux-arm64";
  throw new Error(`no Berth release for the ${arch} architecture (x64 and arm64 only)`);
};

/** The checksum SHA256SUMS lists for `name` (`HASH  name` or `HASH *name`), or null. */
export function listedChecksum(sums: string, name: string): string | null {
  for (const line of sums.split("\n")) {
    const match = /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(line.trim());
    if (match && match[2] === name) return match[1]!;
  }
  return null;
}

async function get(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(300_000) });
  } catch (error) {
    throw new Error(`download failed: ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`download failed: ${url}: HTTP ${response.status}`);
  return response;
}

/** Downloads this architecture's binary and checks it against the folder's SHA256SUMS, as install.sh does. */
export async function downloadRelease(folder: string): Promise<Buffer> {
  const base = folder.replace(/\/+$/, "");
  const name = binaryName();
  const sums = await (await get(`${base}/SHA256SUMS`)).text();
  const expected = listedChecksum(sums, name);
  if (!expected) throw new Error(`SHA256SUMS at ${base} lists no ${name}`);
  const binary = Buffer.from(await (await get(`${base}/${name}`)).arrayBuffer());
  const actual = createHash("sha256").update(binary).digest("hex");
  if (actual !== expected) throw new Error(`checksum mismatch for ${name} (expected ${expected}, got ${actual}): nothing was changed`);
  return binary;
}
