import { expect, test } from "bun:test";
import { checkHostKey, formatNodeAddress, parseNodeAddress } from "./node-address.ts";

test("ssh:// addresses: user and host, the port 22 unless given, IPv6 in brackets", () => {
  expect(parseNodeAddress("ssh://root@10.0.0.7")).toEqual({ user: "root", host: "10.0.0.7", port: 22 });
  expect(parseNodeAddress("ssh://deploy@node-2.example.com:2222")).toEqual({ user: "deploy", host: "node-2.example.com", port: 2222 });
  expect(parseNodeAddress("ssh://root@[fd00::7]:22")).toEqual({ user: "root", host: "fd00::7", port: 22 });
  expect(formatNodeAddress(parseNodeAddress("ssh://root@[fd00::7]"))).toBe("ssh://root@[fd00::7]:22");
});

test("anything else is refused in one line naming what was wrong", () => {
  expect(() => parseNodeAddress("root@10.0.0.7")).toThrow('node address "root@10.0.0.7": not an ssh:// address with a user; expected ssh://user@host');
  expect(() => parseNodeAddress("ssh://10.0.0.7")).toThrow("not an ssh:// address with a user");
  expect(() => parseNodeAddress("ssh://root@10.0.0.7:70000")).toThrow("the port must be from 1 to 65535");
  expect(() => parseNodeAddress("ssh://-oProxyCommand=x@host")).toThrow("is not a user name");
  expect(() => parseNodeAddress("ssh://root@-oProxyCommand=x")).toThrow("is not a host name or address");
  expect(() => parseNodeAddress("ssh://root:secret@host")).toThrow("is not a user name");
});

test("host keys are OpenSSH SHA256 fingerprints", () => {
  const key = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
  expect(checkHostKey(key)).toBe(key);
  expect(() => checkHostKey("MD5:16:27:ac")).toThrow("expected a fingerprint such as SHA256:");
});
