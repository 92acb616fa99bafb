import { Box, Text } from "ink";
import type { Theme } from "../theme.ts";
import { cut } from "../format.ts";

export function Header(props: { machine: string; user: string; role: string; url: string; width: number; theme: Theme }) {
  const line = `berth  ${props.machine}  user ${props.user} (${props.role})  ${props.url}`;
  return (
    <Box height={1}>
      <Text bold color={props.theme.accent}>
        {cut(line, props.width)}
      </Text>
    </Box>
  );
}
