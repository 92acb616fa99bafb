import { Box, Text } from "ink";
import { fitColumns, scrollWindow, tableLine } from "../format.ts";
import type { TableModel } from "../tables.ts";
import { stateColour, type Theme } from "../theme.ts";

/** A table that fits its width (least important columns go first) and keeps the cursor in sight. */
export function Table<Row>(props: { model: TableModel<Row>; cursor: number; focused: boolean; width: number; height: number; title: string; theme: Theme }) {
  const { model, width } = props;
  const fitted = fitColumns(model.columns, model.rows, width);
  const widths = fitted.map((f) => f.width);
  const aligns = fitted.map((f) => f.column.align);
  const bodyHeight = Math.max(1, props.height - 2);
  const { start, end } = scrollWindow(model.rows.length, Math.max(0, props.cursor), bodyHeight);
  const stateAt = fitted.findIndex((f) => f.column.title === "STATE" || f.column.title === "STATUS");
  return (
    <Box flexDirection="column" width={width} height={props.height}>
      <Text bold>{props.title}</Text>
      <Text bold underline>
        {tableLine(fitted.map((f) => f.column.title), widths, aligns).padEnd(width)}
      </Text>
      {model.rows.length === 0 && <Text dimColor>{model.empty}</Text>}
      {model.rows.slice(start, end).map((row, i) => {
        const cells = fitted.map((f) => f.column.cell(row));
        const selected = start + i === props.cursor;
        const colour = stateAt >= 0 && !selected ? stateColour(props.theme, cells[stateAt]!) : undefined;
        return (
          <Text key={start + i} inverse={selected && props.focused} bold={selected} color={colour}>
            {tableLine(cells, widths, aligns).padEnd(selected ? width : 0)}
          </Text>
        );
      })}
    </Box>
  );
}
