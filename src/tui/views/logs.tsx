import { Box, Text } from "ink";
import type { LogLine } from "../api.ts";
import { cut, wrapLine } from "../format.ts";

/** Log lines as rows of the screen: the newest at the bottom while following, else around the cursor. */
export function logRows(lines: LogLine[], cursor: number | undefined, paused: boolean, width: number, height: number, wrap: boolean): string[] {
  const last = paused && cursor !== undefined ? cursor : lines.length - 1;
  const rows: string[] = [];
  for (let i = last; i >= 0 && rows.length < height; i--) {
    const l = lines[i]!;
    const text = `${l.time.slice(11, 19)} ${l.block}/${l.replica} ${l.text}`;
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
