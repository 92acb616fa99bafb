/** Any failure as the one line the TUI flashes: no stack, no runtime jargon for a refused connection. */
export function oneLine(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  if ((error as { code?: string })?.code === "ConnectionRefused" || /Unable to connect|ECONNREFUSED|ConnectionRefused/.test(message)) {
    return "cannot reach the Berth API (shown above); is `berth serve` running? Retrying…";
  }
  return message.split("\n")[0]!;
}
