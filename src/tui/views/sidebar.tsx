import { Box, Text } from "ink";
import { cut } from "../format.ts";

export interface EnvItem {
  project: string;
  env: string;
  stopped: boolean;
}

/** Projects and their environments; the cursor is on one environment. */
export function Sidebar(props: { items: EnvItem[]; cursor: number; focused: boolean; width: number; height: number; filter?: string }) {
  const lines: { text: string; selected: boolean; project: boolean }[] = [];
  let last = "";
  props.items.forEach((item, i) => {
    if (item.project !== last) lines.push({ text: item.project, selected: false, project: true });
    last = item.project;
    lines.push({ text: `  ${item.env}${item.stopped ? " (stopped)" : ""}`, selected: i === props.cursor, project: false });
  });
  const selectedAt = Math.max(0, lines.findIndex((l) => l.selected));
  const start = Math.max(0, Math.min(lines.length - props.height + 1, selectedAt - Math.floor(props.height / 2)));
  return (
    <Box flexDirection="column" width={props.width} height={props.height} borderStyle="single" borderTop={false} borderBottom={false} borderLeft={false}>
      <Text bold>{cut(props.filter ? `PROJECTS /${props.filter}` : "PROJECTS", props.width - 1)}</Text>
      {props.items.length === 0 && <Text dimColor>{props.filter ? "nothing matches" : "no projects yet"}</Text>}
      {lines.slice(start, start + props.height - 1).map((l, i) => (
        <Text key={i} bold={l.project} inverse={l.selected && props.focused} underline={l.selected && !props.focused}>
          {cut(l.text, props.width - 1).padEnd(props.width - 1)}
        </Text>
      ))}
    </Box>
  );
}
