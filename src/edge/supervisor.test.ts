import { expect, test } from "bun:test";
import { alive } from "./supervisor.ts";

test("an edge that died but is not reaped yet (a zombie) counts as gone; a running process as alive", async () => {
  // The shell starts a child that exits at once, then becomes `sleep`, which never reaps it.
  const parent = Bun.spawn(["sh", "-c", "sleep 0.1 & echo $!; exec sleep 5"], { stdout: "pipe" });
  const reader = parent.stdout.getReader();
  const zombie = Number(new TextDecoder().decode((await reader.read()).value).trim());
  await Bun.sleep(500);
  try {
    expect(alive(parent.pid)).toBe(true);
    expect(alive(zombie)).toBe(false);
  } finally {
    parent.kill();
  }
  await parent.exited;
  expect(alive(parent.pid)).toBe(false);
});
