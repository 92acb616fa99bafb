/** Host variables git may see: where programs are, proxies, CA certificates. */
const PASSED_THROUGH = [
  "PATH",
  "HOME",
  "TMPDIR",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
];

/**
 * The environment every git call starts from: nothing prompts, the host's git configuration
 * is ignored (no credential helpers, no insteadOf rewrites), and messages are in English so
 * they can be summarised. Of `host`, only the PASSED_THROUGH variables are kept.
 */
export function baseGitEnv(host: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    const value = host[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  return {
    ...env,
    LC_ALL: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "/bin/false",
    SSH_ASKPASS: "/bin/false",
    SSH_ASKPASS_REQUIRE: "never",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
  };
}

/** Only these transports may run; `ext::`, `fd::` and other remote helpers never do. */
export const PROTOCOL_ARGS = [
  "protocol.allow=never",
  ...["https", "http", "ssh", "file"].map((scheme) => `protocol.${scheme}.allow=always`),
].flatMap((setting) => ["-c", setting]);
