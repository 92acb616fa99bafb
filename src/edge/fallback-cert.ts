const ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;
const DAY = 86_400_000;

// DER, just enough of it for one fixed certificate shape: an X.509 library (and the ASN.1 and
// reflection packages it brings) would cost the edge process more memory than all of its own code.
const length = (n: number) => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);
const tlv = (tag: number, ...parts: Uint8Array[]) => {
  const body = Buffer.concat(parts);
  return new Uint8Array([tag, ...length(body.length), ...body]);
};
const sequence = (...parts: Uint8Array[]) => tlv(0x30, ...parts);
/** A non-negative INTEGER: leading zeros dropped, one added back when the top bit is set. */
const integer = (bytes: Uint8Array) => {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0]! & 0x80) !== 0 ? new Uint8Array([0, ...trimmed]) : trimmed);
};
const oid = (hex: string) => tlv(0x06, Buffer.from(hex, "hex"));
const ECDSA_WITH_SHA256 = sequence(oid("2a8648ce3d040302"));
const COMMON_NAME = oid("550403");
const name = (cn: string) => sequence(tlv(0x31, sequence(COMMON_NAME, tlv(0x0c, Buffer.from(cn)))));
/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 §4.1.2.5 asks. */
const time = (ms: number) => {
  const digits = new Date(ms).toISOString().replace(/[-:T]|\.\d+Z/g, "");
  return Number(digits.slice(0, 4)) < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${digits}Z`));
};
const pem = (label: string, der: Uint8Array) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END ${label}-----\n`;

/**
 * A self-signed certificate for TLS clients whose server name has no certificate here (or who
 * send none): the handshake completes and the usual 404 follows, and no site's real
 * certificate is ever shown for a name it does not cover. Made afresh at each start.
 */
export async function fallbackCertificate(now = Date.now()): Promise<{ cert: string; key: string }> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const subject = name("berth edge fallback");
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0]! &= 0x7f;
  const tbs = sequence(tlv(0xa0, integer(new Uint8Array([2]))), integer(serial), ECDSA_WITH_SHA256, subject, sequence(time(now - DAY), time(now + 3650 * DAY)), subject, spki);
  // WebCrypto signs as r‖s (32 bytes each); X.509 wants SEQUENCE { INTEGER r, INTEGER s }.
  const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, keys.privateKey, tbs));
  const signature = sequence(integer(raw.subarray(0, 32)), integer(raw.subarray(32)));
  const cert = sequence(tbs, ECDSA_WITH_SHA256, tlv(0x03, new Uint8Array([0]), signature));
  return { cert: pem("CERTIFICATE", cert), key: pem("PRIVATE KEY", new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey))) };
}
