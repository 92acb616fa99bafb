/**
 * The port a Dockerfile's final stage declares with EXPOSE (the first one named there), or a
 * note on why none could be read. Line continuations are joined first, as Docker reads them.
 */
export function exposedPort(dockerfile: string): { port?: number; note?: string } {
  const lines = dockerfile.replace(/\\\r?\n/g, " ").split(/\r?\n/).map((l) => l.trim());
  let exposed: string[] | undefined;
  for (const line of lines) {
    const [instruction = "", ...args] = line.split(/\s+/);
    if (/^FROM$/i.test(instruction)) exposed = undefined;
    if (/^EXPOSE$/i.test(instruction)) exposed = [...(exposed ?? []), ...args];
  }
  if (!exposed || exposed.length === 0) return { note: "the Dockerfile has no EXPOSE" };
  const first = exposed[0]!;
  const match = /^(\d{1,5})(\/tcp)?$/i.exec(first);
  const port = match ? Number(match[1]) : NaN;
  if (!match || port < 1 || port > 65535) return { note: `EXPOSE ${first} is not a fixed TCP port` };
  return { port };
}
