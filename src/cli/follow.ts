import { readEvents } from "../client/sse.ts";

/** Prints a log stream's lines as they come; returns the record its `end` event carries. */
export async function followLog<T>(stream: Promise<unknown>, fallback: () => Promise<T>, out: (line: string) => void): Promise<T> {
  let ended: T | undefined;
  let denied: string | undefined;
  await readEvents((await stream) as Response, (event) => {
    if (event.event === "log") out(event.data);
    else if (event.event === "end") ended = JSON.parse(event.data) as T;
    else if (event.event === "denied") denied = event.data;
  });
  if (denied) throw new Error(`log stream closed: ${denied}`);
  return ended ?? (await fallback());
}
