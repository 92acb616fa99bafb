import type Dockerode from "dockerode";
import type { EnvironmentRef } from "../../../ports/runtime.ts";
import { LABEL } from "./labels.ts";

/** What moves routes: a replica (re)started, died, or its health changed. */
const ACTIONS = ["start", "die", "health_status"];
/** What the feed follows: those, and what else changes a container's listing or inspect (runtime-cache.ts). */
const FEED_ACTIONS = [...ACTIONS, "create", "destroy", "pause", "unpause", "rename", "update"];
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
  try {
    return environmentOfEvent(JSON.parse(line));
  } catch {
    return null;
  }
}

function environmentOfEvent(event: { Actor?: { Attributes?: Record<string, unknown> } }): EnvironmentRef | null {
  const labels = event?.Actor?.Attributes ?? {};
  const project = labels[LABEL.project];
  const environment = labels[LABEL.env];
  // A job run's container starting or ending changes no route.
  if (labels[LABEL.jobRun] !== undefined) return null;
  if (labels[LABEL.managed] !== "true" || typeof project !== "string" || typeof environment !== "string" || !project || !environment) return null;
  return { project, environment };
}

/** One container event as the engine reports it, with the environment of a Berth replica (null otherwise). */
export interface EngineEvent {
  id: string;
  action: string;
  environment: EnvironmentRef | null;
}

/** The container id and action of one event line; null for a line that is not a container event. */
export function parseEvent(line: string): EngineEvent | null {
  let event: { id?: unknown; Action?: unknown; status?: unknown; Actor?: { ID?: unknown; Attributes?: Record<string, unknown> } };
  try {
    event = JSON.parse(line);
  } catch {
    return null;
  }
  const id = event?.Actor?.ID ?? event?.id;
  const action = event?.Action ?? event?.status;
  if (typeof id !== "string" || typeof action !== "string") return null;
  return { id, action, environment: environmentOfEvent(event) };
}

export interface FeedListener {
  /** A container of Berth's started, died, changed health or was removed. */
  event(event: EngineEvent): void;
  /** The stream is (again) connected: whatever was learnt from earlier events may be stale. */
  connected(): void;
  /** The stream dropped: events are being missed until `connected` is called again. */
  lost(): void;
  log(line: string): void;
}

/**
 * One stream of the engine's container events for Berth's containers, shared by every listener:
 * opened when the first subscribes, closed when the last leaves. When the stream drops (the engine
 * restarted) it reconnects every second.
 */
export function createEngineFeed(docker: Dockerode) {
  const listeners = new Set<FeedListener>();
  let stop: (() => void) | null = null;
  let connected = false;
  const all: FeedListener = {
    event: (event) => listeners.forEach((l) => l.event(event)),
    connected: () => {
      connected = true;
      listeners.forEach((l) => l.connected());
    },
    lost: () => {
      connected = false;
      listeners.forEach((l) => l.lost());
    },
    // One line for all listeners: they would all say the same.
    log: (line) => listeners.values().next().value?.log(line),
  };

  return {
    subscribe(listener: FeedListener): () => void {
      listeners.add(listener);
      if (stop === null) stop = followEvents(docker, all);
      else if (connected) listener.connected();
      return () => {
        if (!listeners.delete(listener) || listeners.size > 0) return;
        stop?.();
        stop = null;
        connected = false;
      };
    },
  };
}

function followEvents(docker: Dockerode, on: FeedListener): () => void {
  let stopped = false;
  let stream: NodeJS.ReadableStream | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lost = false;

  const retry = (why: string) => {
    if (stopped) return;
    if (!lost) {
      on.lost();
      on.log(`runtime: engine events lost (${why}); reconnecting every ${RECONNECT_MS / 1000}s`);
    }
    lost = true;
    clearTimeout(timer);
    timer = setTimeout(connect, RECONNECT_MS);
  };

  async function connect() {
    if (stopped) return;
    let events: NodeJS.ReadableStream;
    try {
      events = await docker.getEvents({ filters: { type: ["container"], event: FEED_ACTIONS, label: [`${LABEL.managed}=true`] } });
    } catch (error) {
      return retry((error as Error).message.split("\n")[0]!);
    }
    if (stopped) return destroy(events);
    stream = events;
    if (lost) on.log("runtime: engine events back");
    lost = false;
    on.connected();
    const split = lineSplitter();
    events.on("data", (chunk: Buffer | string) => {
      for (const line of split(chunk.toString())) {
        const event = parseEvent(line);
        if (event) on.event(event);
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

export type EngineFeed = ReturnType<typeof createEngineFeed>;

/**
 * The runtime port's `watch` on the shared feed: reports the environment of each start, death or
 * health change, and `null` after a reconnect (events may have been missed: read everything again).
 */
export function watchEnvironments(feed: EngineFeed, onChange: (changed: EnvironmentRef | null) => void, log: (line: string) => void): () => void {
  let connectedOnce = false;
  return feed.subscribe({
    event: (event) => {
      // The engine says "health_status: healthy", hence no exact match on the action.
      if (event.environment && ACTIONS.some((action) => event.action.startsWith(action))) onChange(event.environment);
    },
    connected: () => {
      if (connectedOnce) onChange(null);
      connectedOnce = true;
    },
    lost: () => {},
    log,
  });
}

function destroy(stream: NodeJS.ReadableStream) {
  (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
}
