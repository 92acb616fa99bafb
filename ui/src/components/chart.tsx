/** @jsxImportSource preact */
// One time series as a small uPlot line chart, as wide as its box.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface ChartProps {
  title: string;
  /** Unix seconds. */
  times: number[];
  values: (number | null)[];
  format: (v: number) => string;
}

export function Chart({ title, times, values, format }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    const ink = dark ? "#c9d1d9" : "#24292f";
    const grid = dark ? "#30363d" : "#e5e7eb";
    const axis = { stroke: ink, grid: { stroke: grid }, ticks: { stroke: grid } };
    const plot = new uPlot(
      {
        width: Math.max(el.clientWidth, 240),
        height: 160,
        legend: { show: false },
        cursor: { y: false },
        series: [{}, { label: title, stroke: "#2f81f7", fill: "rgba(47,129,247,0.12)", width: 1.5, value: (_u, v) => (v == null ? "—" : format(v)) }],
        axes: [axis, { ...axis, size: 76, values: (_u, ticks) => ticks.map(format) }],
      },
      [times, values],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 240), height: 160 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, values]);
  const last = values.filter((v) => v !== null).at(-1);
  return (
    <figure class="chart" aria-label={`${title} chart`} data-points={values.filter((v) => v !== null).length}>
      <figcaption>
        {title} <span class="meta">{last === undefined || last === null ? "no data yet" : `now ${format(last)}`}</span>
      </figcaption>
      <div ref={box} />
    </figure>
  );
}
