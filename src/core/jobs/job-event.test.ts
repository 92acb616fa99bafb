import { expect, test } from "bun:test";
import { eventLabel } from "../notify/event.ts";
import { jobEvent } from "./job-event.ts";

test("a finished job run becomes a `job` notification naming the job, its trigger and how it ended", () => {
  const event = jobEvent({
    id: 7, project: "shop", environment: "prod", job: "backup", trigger: "schedule", release: 3, status: "failed", exitCode: 2,
    reason: "exit 2", scheduledFor: null, createdAt: "2026-12-02T03:00:00.000Z", startedAt: "2026-12-02T03:00:01.000Z", finishedAt: "2026-12-02T03:00:09.000Z",
  });
  expect(event).toEqual({
    kind: "job", project: "shop", environment: "prod", number: 7, job: "backup", source: "schedule", status: "failed", ok: false,
    reason: "exit 2", startedAt: "2026-12-02T03:00:01.000Z", finishedAt: "2026-12-02T03:00:09.000Z",
  });
  expect(eventLabel(event)).toBe("job prod backup #7");
});
