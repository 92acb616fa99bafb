import { describe, expect, test } from "bun:test";
import { missedRun, nextRunOf } from "./schedule.ts";

const at = (iso: string) => new Date(iso);

describe("job schedules", () => {
  test("read in UTC unless a time zone is given", () => {
    expect(nextRunOf({ schedule: "0 3 * * *" }, at("2026-01-10T12:00:00Z"))?.toISOString()).toBe("2026-01-11T03:00:00.000Z");
    // 03:00 in Paris is 02:00 UTC in winter.
    expect(nextRunOf({ schedule: "0 3 * * *", timezone: "Europe/Paris" }, at("2026-01-10T12:00:00Z"))?.toISOString()).toBe("2026-01-11T02:00:00.000Z");
  });

  test("a leading seconds field fires within the minute", () => {
    expect(nextRunOf({ schedule: "*/2 * * * * *" }, at("2026-01-10T12:00:01Z"))?.toISOString()).toBe("2026-01-10T12:00:02.000Z");
  });

  test("no schedule, no next run", () => {
    expect(nextRunOf({}, new Date())).toBeNull();
  });

  describe("a run missed while serve was down", () => {
    const spec = { schedule: "0 3 * * *", startingDeadline: "1h" };
    test("runs once when the last scheduled time is within the deadline and has not run", () => {
      expect(missedRun(spec, at("2026-01-10T03:30:00Z"), at("2026-01-09T03:00:00Z"))?.toISOString()).toBe("2026-01-10T03:00:00.000Z");
      expect(missedRun(spec, at("2026-01-10T03:30:00Z"), null)?.toISOString()).toBe("2026-01-10T03:00:00.000Z");
    });
    test("is not made up past the deadline, nor when it ran already", () => {
      expect(missedRun(spec, at("2026-01-10T04:30:00Z"), null)).toBeNull();
      expect(missedRun(spec, at("2026-01-10T03:30:00Z"), at("2026-01-10T03:00:00Z"))).toBeNull();
    });
    test("is never made up without a startingDeadline", () => {
      expect(missedRun({ schedule: "0 3 * * *" }, at("2026-01-10T03:00:05Z"), null)).toBeNull();
    });
  });
});
