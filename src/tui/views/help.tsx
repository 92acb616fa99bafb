import { Box, Text } from "ink";
import { cut } from "../format.ts";
import { helpLines } from "../keys.ts";
import type { GlobalRole } from "../../core/roles.ts";

/** The full key map, from the same table as the footer. */
export function Help(props: { role: GlobalRole; width: number; height: number }) {
  const lines = helpLines(props.role);
  const keyWidth = Math.max(...lines.map((l) => l.keys.length));
  return (
    <Box flexDirection="column" width={props.width} height={props.height}>
      <Text bold>KEYS (any key closes)</Text>
      {lines.slice(0, props.height - 1).map((l) => (
        <Text key={l.keys} dimColor={Boolean(l.disabled)}>
          {cut(`${l.keys.padEnd(keyWidth)}  ${l.help}${l.disabled ? ` (${l.disabled})` : ""}`, props.width)}
        </Text>
      ))}
    </Box>
  );
}
