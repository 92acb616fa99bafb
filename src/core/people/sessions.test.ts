import { expect, test } from "bun:test";
import { createUserStore } from "../../adapters/store/user-store.ts";
import { memoryState } from "../../../test/support/state.ts";
import { createSessions, SESSION_IDLE_MS } from "./sessions.ts";

test("a session ends after 12 hours without a request; each request pushes the end back", () => {
  let now = Date.parse("2026-12-02T08:00:00Z");
  const { db } = memoryState();
  const store = createUserStore(db);
  const sessions = createSessions(store, () => now);
  const ann = store.createUser("ann", "viewer", null);
  const cookie = sessions.start(ann.id, "192.0.2.1");
  now += SESSION_IDLE_MS - 60_000;
  expect(sessions.principal(cookie)?.user.name).toBe("ann");
  now += SESSION_IDLE_MS - 60_000;
  expect(sessions.current(cookie)?.user.name).toBe("ann");
  now += 2 * 60_000;
  expect(sessions.principal(cookie)).toBeNull();
  expect(sessions.principal("not-a-session")).toBeNull();
});
