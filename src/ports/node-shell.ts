/** Where and as whom to reach a node over SSH. */
export interface NodeTarget {
  host: string;
  port: number;
  user: string;
  /** An OpenSSH or PEM private key; used for this connection only, never stored. */
  privateKey: string;
  /**
   * The host key fingerprint (SHA256:…) to accept. No other key is accepted, and with none given
   * every key is refused, naming its fingerprint, before any command runs.
   */
  hostKey?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One open connection to a node. Commands are argv arrays, quoted for the node's shell by the adapter. */
export interface NodeSession {
  /** The fingerprint (SHA256:…) of the host key the node presented. */
  readonly hostKey: string;
  /** Runs argv; `stdin` is written to the command's standard input (how secrets travel). */
  run(argv: string[], options?: { stdin?: string | Uint8Array }): Promise<RunResult>;
  /** Copies a local file to the node over SFTP, creating it with `mode`. */
  upload(localPath: string, remotePath: string, mode: number): Promise<void>;
  close(): void;
}

export interface NodeShell {
  connect(target: NodeTarget): Promise<NodeSession>;
}
