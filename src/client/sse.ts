import { createParser, type EventSourceMessage } from "eventsource-parser";
import { unwrap } from "./index.ts";

/** Reads a text/event-stream answer, calling `onEvent` per event until the stream ends. */
export async function readEvents(response: Response, onEvent: (event: EventSourceMessage) => void): Promise<void> {
  if (!response.ok) await unwrap(response as never);
  const parser = createParser({ onEvent });
  const decoder = new TextDecoder();
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    parser.feed(decoder.decode(value, { stream: true }));
  }
}
