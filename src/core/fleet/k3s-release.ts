/**
 * The one k3s release Berth installs, and the sha256 of each file of its bundle. `fleet init`
 * and `fleet join` refuse any bundle file whose hash differs, so a node only ever runs the
 * binary a release of Berth was tested with.
 *
 * The hashes below are placeholders until the release process writes the values published with
 * the k3s release (its sha256sum-amd64.txt) and the hash of that release's install.sh. While one
 * is a placeholder, init and join refuse to start and name the setting that supplies it
 * (fleetK3sSha256, fleetK3sScriptSha256, fleetK3sImagesSha256: for air-gapped mirrors that
 * re-host a verified copy, and for tests).
 */
export const K3S_VERSION = "v1.34.2+k3s1";

/** Marks a hash the release process has not filled in yet. */
export const UNSET_SHA256 = "unset-release-fills-in-sha256";

export const K3S_PINS = {
  /** `k3s` (linux/amd64) of K3S_VERSION. */
  binary: UNSET_SHA256,
  /** `install.sh` at the K3S_VERSION tag. */
  script: UNSET_SHA256,
  /** `k3s-airgap-images-amd64.tar.zst` of K3S_VERSION (optional in a bundle). */
  images: UNSET_SHA256,
} as const;

/** The file names a bundle folder holds, as the k3s release names them. */
export const BUNDLE_FILES = {
  binary: "k3s",
  script: "install.sh",
  images: "k3s-airgap-images-amd64.tar.zst",
} as const;

export type BundlePart = keyof typeof BUNDLE_FILES;

/** The settings that replace a pin (BERTH_FLEET_K3S_SHA256 and so on). */
export const PIN_SETTINGS: Record<BundlePart, string> = {
  binary: "fleetK3sSha256",
  script: "fleetK3sScriptSha256",
  images: "fleetK3sImagesSha256",
};
