/**
 * The one k3s release Berth installs, and the sha256 of each file of its bundle. `fleet init`
 * and `fleet join` refuse any bundle file whose hash differs, so a node only ever runs the
 * binary this release of Berth pins. The binary's and the air-gap images' hashes are the lines
 * of the k3s release's own `sha256sum-amd64.txt`; the script's is that of `install.sh` at the
 * release's tag. Moving to another k3s release means replacing all four values here, from that
 * release's page, and running the manual check in docs/fleet.md.
 *
 * The settings fleetK3sSha256, fleetK3sScriptSha256 and fleetK3sImagesSha256 replace a pin: for
 * air-gapped mirrors that re-host a copy they verified, and for tests.
 */
export const K3S_VERSION = "v1.36.4+k3s1";

export const K3S_PINS = {
  /** `k3s` (linux/amd64) of K3S_VERSION: 78,991,522 bytes. */
  binary: "835873f37245fc615f547a2fe2af9402a347875f13fa64a1f136de644955ea3f",
  /** `install.sh` at the K3S_VERSION tag: 37,118 bytes. */
  script: "46177d4c99440b4c0311b67233823a8e8a2fc09693f6c89af1a7161e152fbfad",
  /** `k3s-airgap-images-amd64.tar.zst` of K3S_VERSION (optional in a bundle): 193,436,957 bytes. */
  images: "9024613e2d468c51ba0e5ba21898604c41339354449fb3338cc6a7931189eb6a",
} as const;

/** The file names a bundle folder holds, as the k3s release names them. */
export const BUNDLE_FILES = {
  binary: "k3s",
  script: "install.sh",
  images: "k3s-airgap-images-amd64.tar.zst",
} as const;

export type BundlePart = keyof typeof BUNDLE_FILES;
