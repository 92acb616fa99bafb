import { PassThrough, Writable } from "node:stream";

export interface ChannelLike {
  write(data: Buffer | string): unknown;
  on(event: "data", listener: (data: Buffer) => void): unknown;
}

export interface Terminal {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  resize(columns: number, rows: number): void;
}

/**
 * An SSH channel as the terminal Ink draws on: stdin that says it is a TTY in raw mode (the
 * client's terminal is), and stdout with a size that follows window-change requests. No line
 * discipline runs on the server's side of a pty, so each newline is sent as CR LF.
 */
export function channelTerminal(channel: ChannelLike, size: { columns: number; rows: number }): Terminal {
  const input = new PassThrough();
  channel.on("data", (data) => input.write(data));
  const stdin = Object.assign(input, { isTTY: true, isRaw: true, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin });
  const output = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      channel.write(chunk.toString().replace(/\r?\n/g, "\r\n"));
      done();
    },
  });
  const stdout = Object.assign(output, { isTTY: true, columns: size.columns, rows: size.rows });
  return {
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    resize(columns, rows) {
      stdout.columns = columns;
      stdout.rows = rows;
      stdout.emit("resize");
    },
  };
}
