import { expect, test } from "bun:test";
import { parseProbe } from "./node-ops.ts";

const PROBE = `1000
Linux
x86_64
node-2
sudo
-
agent
---
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
ID=debian
VERSION_ID="12"
---
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
   1: 0100007F:192B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1
   2: 0100007F:280A 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3 1
  sl  local_address                         remote_address                        st
   0: 00000000000000000000000000000000:280A 00000000000000000000000000000000:0000 0A
`;

test("the probe's answer: user, sudo, system, k3s scripts found and the listening ports only", () => {
  const facts = parseProbe(PROBE);
  expect(facts).toMatchObject({ uid: "1000", kernel: "Linux", arch: "x86_64", hostname: "node-2", sudo: true, server: false, agent: true, os: "Debian GNU/Linux 12 (bookworm)" });
  // 22 and 6443 listen on IPv4, 10250 on IPv6; the established connection from 10250 is no listener.
  expect([...facts.listening].sort((a, b) => a - b)).toEqual([22, 6443, 10250]);
});

test("a node without /etc/os-release has no OS name", () => {
  expect(parseProbe("0\nLinux\nx86_64\nn\nno-sudo\n-\n-\n---\n---\n").os).toBe("");
});
