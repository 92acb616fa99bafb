import { Box, Text } from "ink";
import { cut, scrollWindow } from "../format.ts";
import type { Prompt } from "../state.ts";

/** A confirm (y/enter or n/esc) or a pick from a list (j/k then enter), over the view. */
export function PromptBox(props: { prompt: Prompt; width: number; height: number }) {
  const { prompt, width } = props;
  const options = prompt.options ?? [];
  const room = Math.max(1, props.height - 3 - Math.min(prompt.lines.length, 8));
  const { start, end } = scrollWindow(options.length, prompt.cursor, room);
  return (
    <Box flexDirection="column" width={width} height={props.height} borderStyle="double" paddingX={1}>
      <Text bold>{cut(prompt.title, width - 4)}</Text>
      {prompt.lines.slice(0, 8).map((line, i) => (
        <Text key={`l${i}`}>{cut(line, width - 4)}</Text>
      ))}
      {options.slice(start, end).map((option, i) => (
        <Text key={`o${i}`} inverse={start + i === prompt.cursor}>
          {cut(`${start + i === prompt.cursor ? "› " : "  "}${option}`, width - 4)}
        </Text>
      ))}
      <Text dimColor>{options.length ? "j/k choose · enter pick · esc cancel" : "y/enter yes · n/esc no"}</Text>
    </Box>
  );
}
