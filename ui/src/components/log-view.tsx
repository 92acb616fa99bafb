/** @jsxImportSource preact */
// A log that grows while it is followed: new lines stay in view unless the reader scrolled up.
import { useLayoutEffect, useRef } from "preact/hooks";

export function LogView({ lines, label, empty = "No output yet." }: { lines: string[]; label: string; empty?: string }) {
  const box = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);
  useLayoutEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  return (
    <pre
      class="log"
      ref={box}
      role="log"
      aria-label={label}
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
      }}
    >
      {lines.length ? lines.join("\n") : empty}
    </pre>
  );
}
