import type Dockerode from "dockerode";
import type { EnvironmentRef } from "../../../ports/runtime.ts";
import { LABEL } from "./labels.ts";

/** What moves routes: a replica (re)started, died, or its health changed. */
const ACTIONS = ["start", "die", "health_status"];
const RECONNECT_MS = 1000;

/** Splits the engine's stream of JSON lines; a chunk may end mid-line or hold several lines. */
export function lineSplitter() {
  let rest = "";
  return (chunk: string): string[] => {
    rest += chunk;
    const lines = rest.split("\n");
    rest = lines.pop()!;
    return lines.filter((line) => line.trim() !== "");
  };
}

/** The environment an event is about, from its container's labels; null for anything not Berth's. */
export function environmentOf(line: string): EnvironmentRef | null {
  let event: { Actor?: { Attributes?: Record<string, unknown> } };
  try {
    event = JSON.parse(line);
  } catch {
    return null;
  }
  const labels = event?.Actor?.Attributes ?? {};
  const project = labels[LABEL.project];
  const environment = labels[LABEL.env];
  // A job run's container starting or ending changes no route.
  if (labels[LABEL.jobRun] !== undefined) return null;
  if (labels[LABEL.managed] !== "true" || typeof project !== "string" || typeof environment !== "string" || !project || !environment) return null;
  return { project, environment };
}

/**
 * Follows the engine's container events for Berth's containers. When the stream drops (the
 * engine restarted) it reconnects every second and then reports `null`: events may have been
 * missed, so everything should be read again.
 */
export function watchEngineEvents(docker: Dockerode, onChange: (changed: EnvironmentRef | null) => void, log: (line: string) => void): () => void {
  let stopped = false;
  let stream: NodeJS.ReadableStream | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let connectedOnce = false;
  let lost = false;

  const retry = (why: string) => {
    if (stopped) return;
    if (!lost) log(`runtime: engine events lost (${why}); reconnecting every ${RECONNECT_MS / 1000}s`);
    lost = true;
    clearTimeout(timer);
    timer = setTimeout(connect, RECONNECT_MS);
  };

  async function connect() {
    if (stopped) return;
    let events: NodeJS.ReadableStream;
    try {
      events = await docker.getEvents({ filters: { type: ["container"], event: ACTIONS, label: [`${LABEL.managed}=true`] } });
    } catch (error) {
      return retry((error as Error).message.split("\n")[0]!);
    }
    if (stopped) return destroy(events);
    stream = events;
    if (lost) log("runtime: engine events back");
    if (connectedOnce) onChange(null);
    connectedOnce = true;
    lost = false;
    const split = lineSplitter();
    events.on("data", (chunk: Buffer | string) => {
      for (const line of split(chunk.toString())) {
        const changed = environmentOf(line);
        if (changed) onChange(changed);
      }
    });
    const ended = (why: string) => () => {
      if (stream !== events) return;
      stream = null;
      retry(why);
    };
    events.on("end", ended("the engine closed the stream"));
    events.on("close", ended("the stream closed"));
    events.on("error", (error: Error) => ended(error.message)());
  }

  void connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (stream) destroy(stream);
    stream = null;
  };
}

function destroy(stream: NodeJS.ReadableStream) {
  (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
}
