import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { join } from "node:path";
import { invalid } from "../errors.ts";
import { BUNDLE_FILES, type BundlePart, K3S_PINS, K3S_VERSION } from "./k3s-release.ts";

/** The sha256 each bundle file must have: the release's pins, or the settings that replace them. */
export type BundlePins = Record<BundlePart, string>;

export const releasePins = (overrides: Partial<Record<BundlePart, string | undefined>> = {}): BundlePins => ({
  binary: overrides.binary || K3S_PINS.binary,
  script: overrides.script || K3S_PINS.script,
  images: overrides.images || K3S_PINS.images,
});

export interface BundleFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** A bundle folder whose files all have their pinned hashes. */
export interface Bundle {
  version: string;
  binary: BundleFile;
  script: BundleFile;
  /** Present when the folder holds the air-gap images. */
  images?: BundleFile;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export const sha256Text = (text: string | Uint8Array) => createHash("sha256").update(text).digest("hex");

function sizeOf(path: string): number | null {
  try {
    const stat = statSync(path);
    return stat.isFile() ? stat.size : null;
  } catch {
    return null;
  }
}

/**
 * Reads a bundle folder (`k3s`, `install.sh`, optional `k3s-airgap-images-amd64.tar.zst`) and
 * refuses it, in one line naming the file, at the first file whose sha256 is not the pinned one.
 */
export async function verifyBundle(dir: string, pins: BundlePins): Promise<Bundle> {
  if (!isFolder(dir)) throw invalid(`bundle ${dir}: not a folder (it should hold ${BUNDLE_FILES.binary} and ${BUNDLE_FILES.script} of k3s ${K3S_VERSION})`);
  const check = async (part: BundlePart, required: boolean): Promise<BundleFile | undefined> => {
    const path = join(dir, BUNDLE_FILES[part]);
    const bytes = sizeOf(path);
    if (bytes === null) {
      if (required) throw invalid(`bundle ${dir}: ${BUNDLE_FILES[part]} is missing (k3s ${K3S_VERSION})`);
      return undefined;
    }
    const expected = pins[part];
    const actual = await sha256File(path);
    if (actual !== expected.toLowerCase()) throw invalid(`bundle ${dir}: ${BUNDLE_FILES[part]} has sha256 ${actual}, expected ${expected} (k3s ${K3S_VERSION}): refusing it`);
    return { path, sha256: actual, bytes };
  };
  const binary = (await check("binary", true))!;
  const script = (await check("script", true))!;
  const images = await check("images", false);
  return { version: K3S_VERSION, binary, script, ...(images && { images }) };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
