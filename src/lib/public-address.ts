import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";

/** Loopback, private (RFC 1918), shared (RFC 6598), link-local and unspecified IPv4 ranges: no CA can reach them. */
const NOT_PUBLIC: [number, number][] = [
  [0x00000000, 8],
  [0x0a000000, 8],
  [0x64400000, 10],
  [0x7f000000, 8],
  [0xa9fe0000, 16],
  [0xac100000, 12],
  [0xc0a80000, 16],
];

const toNumber = (ip: string) => ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);

export function isPublicIPv4(ip: string): boolean {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return false;
  const n = toNumber(ip);
  return !NOT_PUBLIC.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

/** The first public IPv4 address on this machine's interfaces, or null (behind NAT, or none). */
export function publicIPv4(interfaces: Record<string, NetworkInterfaceInfo[] | undefined> = networkInterfaces()): string | null {
  for (const list of Object.values(interfaces)) for (const info of list ?? []) if (info.family === "IPv4" && !info.internal && isPublicIPv4(info.address)) return info.address;
  return null;
}
