import { openExecSocket, type ExecTarget } from "../../client/exec-socket.ts";
import { UsageError, type Verb } from "../verb.ts";

const STDOUT = 1;

/** Why the upgrade was refused: the same URL as a plain GET answers with the API's problem. */
async function refusal(connection: { url: string; token: string }, socketUrl: string): Promise<string> {
  try {
    const response = await fetch(socketUrl.replace(/^ws/, "http"), { headers: { Authorization: `Bearer ${connection.token}` } });
    const problem = (await response.json().catch(() => null)) as { detail?: string } | null;
    return problem?.detail ?? `HTTP ${response.status}`;
  } catch (error) {
    return `cannot reach the Berth API at ${connection.url}: ${(error as Error).message}`;
  }
}

/**
 * Runs until the remote command exits; its exit code becomes the CLI's, as with `docker exec`.
 * On a terminal the local tty goes raw so keys (Ctrl-C included) reach the remote shell.
 */
function session(socket: WebSocket, target: ExecTarget, out: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<{ code: number } | { failed: true }> {
  const stdin = process.stdin;
  return new Promise((resolve) => {
    let opened = false;
    let result: { code: number } | { failed: true } = { failed: true };
    const sendSize = () => socket.send(JSON.stringify({ type: "resize", columns: out.stdout.columns || 80, rows: out.stdout.rows || 24 }));
    const onInput = (data: Buffer) => socket.send(data);
    const onEnd = () => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify({ type: "eof" }));
    socket.addEventListener("open", () => {
      opened = true;
      if (target.tty) {
        stdin.setRawMode?.(true);
        sendSize();
        out.stdout.on("resize", sendSize);
      }
      stdin.on("data", onInput);
      stdin.on("end", onEnd);
      stdin.resume();
    });
    socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") {
        const message = JSON.parse(event.data) as { type: string; code?: number; message?: string };
        if (message.type === "exit") result = { code: message.code ?? 1 };
        if (message.type === "error") out.stderr.write(`error: ${message.message}\n`);
        return;
      }
      const frame = new Uint8Array(event.data as ArrayBuffer);
      (frame[0] === STDOUT ? out.stdout : out.stderr).write(frame.subarray(1));
    });
    socket.addEventListener("close", () => {
      if (target.tty) stdin.setRawMode?.(false);
      stdin.off("data", onInput);
      stdin.off("end", onEnd);
      stdin.pause();
      out.stdout.off("resize", sendSize);
      resolve(opened ? result : { failed: true });
    });
  });
}

export const execVerb: Verb = {
  name: "exec",
  summary: "Run a command, or a shell, in a running replica of a block: berth exec PROJECT ENV BLOCK [-- CMD…]",
  args: "PROJECT ENV BLOCK [-- CMD…]",
  minArgs: 3,
  variadic: true,
  options: { replica: { type: "string" }, tty: { type: "boolean", short: "t" }, "no-tty": { type: "boolean", short: "T" } },
  optionHelp: [
    "--replica N     which replica (default 0, the first)",
    "-t, --tty       give the command a pseudo-terminal (default: when stdin and stdout are terminals)",
    "-T, --no-tty    never a pseudo-terminal",
  ],
  async run({ args, values, credentials, err }) {
    const replica = Number((values.replica as string | undefined) ?? "0");
    if (!Number.isInteger(replica) || replica < 0) throw new UsageError(`--replica must be a replica number such as 0 or 1`);
    const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
    const tty = values["no-tty"] ? false : Boolean(values.tty) || interactive;
    const target: ExecTarget = { project: args[0]!, environment: args[1]!, block: args[2]!, replica, command: args.slice(3), tty };
    const connection = credentials();
    const socket = openExecSocket(connection, target);
    const ended = await session(socket, target, { stdout: process.stdout, stderr: process.stderr });
    if ("code" in ended) return ended.code;
    err(`error: ${await refusal(connection, socket.url)}`);
    return 1;
  },
};
