import { invalid } from "../errors.ts";

export interface NodeAddress {
  user: string;
  host: string;
  port: number;
}

const USER = /^[a-z_][a-z0-9_.-]{0,31}$/i;
const HOST_NAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/i;
const IPV6 = /^\[[0-9a-f:.]+\]$/i;
/** OpenSSH's form: SHA256: and the unpadded base64 of the key's hash. */
export const HOST_KEY_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** `ssh://user@host[:port]`, the form `fleet join` takes and the node table records. */
export function parseNodeAddress(text: string): NodeAddress {
  const bad = (why: string) => invalid(`node address ${JSON.stringify(text)}: ${why}; expected ssh://user@host or ssh://user@host:port`);
  const match = /^ssh:\/\/([^@/]+)@(\[[^\]]+\]|[^:/]+)(?::(\d{1,5}))?\/?$/.exec(text);
  if (!match) throw bad("not an ssh:// address with a user");
  const [, user, host, port] = match as unknown as [string, string, string, string | undefined];
  if (!USER.test(user)) throw bad(`${JSON.stringify(user)} is not a user name`);
  if (!HOST_NAME.test(host) && !IPV6.test(host)) throw bad(`${JSON.stringify(host)} is not a host name or address`);
  const number = port === undefined ? 22 : Number(port);
  if (number < 1 || number > 65535) throw bad("the port must be from 1 to 65535");
  return { user, host: host.replace(/^\[|\]$/g, ""), port: number };
}

export const formatNodeAddress = (a: NodeAddress) => `ssh://${a.user}@${a.host.includes(":") ? `[${a.host}]` : a.host}:${a.port}`;

export function checkHostKey(text: string): string {
  if (!HOST_KEY_FINGERPRINT.test(text)) throw invalid(`--host-key ${JSON.stringify(text)}: expected a fingerprint such as SHA256:4PbY… (43 characters after SHA256:), as ssh-keygen -lf prints it`);
  return text;
}

/** Kubernetes node names: DNS subdomains, lower case. */
const NODE_NAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/;

export function checkNodeName(name: string, from: string): string {
  if (!NODE_NAME.test(name) || name.length > 253) throw invalid(`${from} ${JSON.stringify(name)}: a node name must be lower-case letters, digits, - and . (a DNS name)`);
  return name;
}
