import { Box, Text } from "ink";
import type { LogLine } from "../api.ts";
import { cut, wrapLine } from "../format.ts";

/**
 * Log lines as rows of the screen: the newest at the bottom while following, else around the
 * cursor. Each line names its replica (`web/0`); while lines of two releases' `web/0` are on hand
 * (the old replica drains as the new one starts), each also names its release (`web/0#12`).
 */
export function logRows(lines: LogLine[], cursor: number | undefined, paused: boolean, width: number, height: number, wrap: boolean): string[] {
  const last = paused && cursor !== undefined ? cursor : lines.length - 1;
  const releases = new Map<string, number>();
  const ambiguous = new Set<string>();
  for (const l of lines) {
    const source = `${l.block}/${l.replica}`;
    const seen = releases.get(source);
    if (seen === undefined) releases.set(source, l.release);
    else if (seen !== l.release) ambiguous.add(source);
  }
  const rows: string[] = [];
  for (let i = last; i >= 0 && rows.length < height; i--) {
    const l = lines[i]!;
    const source = `${l.block}/${l.replica}`;
    const text = `${l.time.slice(11, 19)} ${ambiguous.has(source) ? `${source}#${l.release}` : source} ${l.text}`;
    rows.unshift(...wrapLine(text, width, wrap));
  }
  return rows.slice(-height);
}

export function LogsView(props: { lines: LogLine[]; cursor: number | undefined; paused: boolean; wrap: boolean; width: number; height: number; title: string; error: string | null }) {
  const height = Math.max(1, props.height - 1);
  const rows = logRows(props.lines, props.cursor, props.paused, props.width, height, props.wrap);
  const mode = `${props.paused ? "paused (f follows)" : "following"} · wrap ${props.wrap ? "on" : "off"}${props.error ? ` · ${props.error}` : ""}`;
  return (
    <Box flexDirection="column" width={props.width} height={props.height}>
      <Text bold>{cut(`${props.title}  ${mode}`, props.width)}</Text>
      {rows.length === 0 && <Text dimColor>no log lines yet</Text>}
      {rows.map((row, i) => (
        <Text key={i}>{row}</Text>
      ))}
    </Box>
  );
}
