import { Box, Text } from "ink";
import { cut } from "../format.ts";
import type { KeyHint } from "../keys.ts";
import type { Flash, UiState } from "../state.ts";
import type { Theme } from "../theme.ts";

function StatusLine(props: { input: UiState["input"]; flash: Flash | null; progress: string | null; width: number; theme: Theme }) {
  if (props.input) {
    const prompt = props.input.kind === "filter" ? "/" : ":";
    return <Text>{cut(`${prompt}${props.input.text}█`, props.width)}</Text>;
  }
  if (props.flash) {
    const colour = props.flash.kind === "error" ? props.theme.bad : props.flash.kind === "busy" ? props.theme.warn : props.theme.ok;
    const mark = props.flash.kind === "error" ? "✗ " : props.flash.kind === "busy" ? "… " : "✓ ";
    return (
      <Text bold color={colour}>
        {cut(mark + props.flash.text, props.width)}
      </Text>
    );
  }
  return <Text color={props.theme.warn}>{props.progress ? cut(props.progress, props.width) : " "}</Text>;
}

/** The status line, then the keys that work here; keys the role cannot use are dimmed. */
export function Footer(props: { keys: KeyHint[]; input: UiState["input"]; flash: Flash | null; progress: string | null; width: number; theme: Theme }) {
  let used = 0;
  const shown = props.keys.filter((k) => {
    used += k.key.length + k.label.length + 5;
    return used <= props.width;
  });
  return (
    <Box flexDirection="column" height={2}>
      <StatusLine {...props} />
      <Text wrap="truncate">
        {shown.map((k) => (
          <Text key={k.key} dimColor={Boolean(k.disabled)} strikethrough={Boolean(k.disabled)}>
            <Text bold inverse={!k.disabled}>{`<${k.key}>`}</Text>
            {` ${k.label}  `}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
