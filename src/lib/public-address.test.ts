import { expect, test } from "bun:test";
import type { NetworkInterfaceInfo } from "node:os";
import { isPublicIPv4, publicIPv4 } from "./public-address.ts";

test("private, shared, loopback and link-local addresses are not public", () => {
  for (const ip of ["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "127.0.0.1", "169.254.1.1", "0.0.0.0"]) expect(isPublicIPv4(ip)).toBe(false);
  for (const ip of ["203.0.113.7", "172.32.0.1", "8.8.8.8", "100.128.0.1"]) expect(isPublicIPv4(ip)).toBe(true);
  expect(isPublicIPv4("::1")).toBe(false);
});

test("the first public IPv4 of the interfaces, or none", () => {
  const nic = (address: string, family: "IPv4" | "IPv6" = "IPv4", internal = false) => ({ address, family, internal }) as NetworkInterfaceInfo;
  expect(publicIPv4({ lo: [nic("127.0.0.1", "IPv4", true)], eth0: [nic("fe80::1", "IPv6"), nic("10.0.0.5"), nic("203.0.113.7")] })).toBe("203.0.113.7");
  expect(publicIPv4({ eth0: [nic("10.0.0.5")] })).toBeNull();
});

test("domain: auto becomes <public-ip>.sslip.io, or fails naming the setting", async () => {
  const { loadConfig } = await import("../config.ts");
  expect(loadConfig({ env: { BERTH_DOMAIN: "auto" }, publicAddress: () => "203.0.113.7" }).domain).toBe("203.0.113.7.sslip.io");
  expect(() => loadConfig({ env: { BERTH_DOMAIN: "auto" }, publicAddress: () => null })).toThrow("config: BERTH_DOMAIN: auto: this machine has no public IPv4 address");
});
