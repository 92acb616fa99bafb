import { isIP } from "node:net";

export interface Cidr {
  address: string;
  bits: number;
  family: "ipv4" | "ipv6";
}

/** `10.0.0.0/8`, `fd00::/8` or a bare address (all of its bits); null for anything else. */
export function parseCidr(text: string): Cidr | null {
  const [address, bits, ...rest] = text.split("/");
  const version = isIP(address!);
  if (version === 0 || rest.length > 0) return null;
  const max = version === 4 ? 32 : 128;
  if (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max)) return null;
  return { address: address!, bits: bits === undefined ? max : Number(bits), family: version === 4 ? "ipv4" : "ipv6" };
}
