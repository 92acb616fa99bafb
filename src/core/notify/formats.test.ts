import { describe, expect, test } from "bun:test";
import type { ReleaseRecord } from "../../ports/release-store.ts";
import { certificateEvent, eventLabel, kindOfSource, releaseEvent, type NotifyEvent } from "./event.ts";
import { discordBody, humanDuration, jsonBody, messageBody, slackBody, summaryLine } from "./formats.ts";

const URL_ = "https://berth.example.com/p/shop/env/prod";

const release = (over: Partial<ReleaseRecord> = {}): ReleaseRecord => ({
  id: 7, project: "shop", environment: "prod", number: 12, blocks: [], status: "deployed", reason: null, warnings: [], source: "deploy", actor: null,
  createdAt: "2026-12-02T10:00:00.000Z", finishedAt: "2026-12-02T10:00:42.500Z", ...over,
});

const failed: NotifyEvent = releaseEvent(release({ status: "failed", reason: "build #3 of api failed: npm ERR! <missing> & gone", source: "promote from dev#4" }));

describe("a release becomes one event", () => {
  test("the kind comes from the source's first word; no source is a deploy", () => {
    expect(kindOfSource(undefined)).toBe("deploy");
    expect(kindOfSource(null)).toBe("deploy");
    expect(kindOfSource("deploy")).toBe("deploy");
    expect(kindOfSource("promote from dev#4")).toBe("promote");
    expect(kindOfSource("rollback to #2")).toBe("rollback");
    expect(kindOfSource("push 0123abc")).toBe("push");
    expect(kindOfSource("pushed by hand")).toBe("deploy");
  });

  test("every field a receiver needs", () => {
    expect(releaseEvent(release())).toEqual({
      kind: "deploy", project: "shop", environment: "prod", number: 12, source: "deploy", status: "deployed", ok: true, reason: null,
      startedAt: "2026-12-02T10:00:00.000Z", finishedAt: "2026-12-02T10:00:42.500Z",
    });
    expect(failed).toMatchObject({ kind: "promote", source: "promote from dev#4", ok: false, status: "failed" });
  });
});

describe("formats", () => {
  test("durations read like people say them", () => {
    expect([humanDuration(850), humanDuration(42_500), humanDuration(185_000), humanDuration(120_000)]).toEqual(["850 ms", "43 s", "3 min 5 s", "2 min"]);
  });

  test("json: the documented body", () => {
    expect(jsonBody(releaseEvent(release()), URL_)).toEqual({
      version: 1, event: "deploy", project: "shop", environment: "prod", release: 12, source: "deploy", status: "deployed", ok: true,
      reason: null, startedAt: "2026-12-02T10:00:00.000Z", finishedAt: "2026-12-02T10:00:42.500Z", durationMs: 42_500, url: URL_,
    });
  });

  test("json: a job run names the job and its run instead of a release", () => {
    const run: NotifyEvent = { ...releaseEvent(release()), kind: "job", job: "nightly", number: 5, source: "schedule", status: "succeeded" };
    const body = jsonBody(run, URL_);
    expect(body).toMatchObject({ event: "job", job: "nightly", run: 5, source: "schedule", status: "succeeded" });
    expect(body).not.toHaveProperty("release");
  });

  test("a certificate near its end names the host and why renewal fails, instead of a release", () => {
    const event = certificateEvent({ project: "shop", environment: "prod" }, { host: "shop.example.com", notAfter: "2026-12-15T00:00:00.000Z", reason: "rate limited by the CA" }, "2026-12-02T10:00:00.000Z");
    const body = jsonBody(event, URL_);
    expect(body).toMatchObject({ event: "certificate", host: "shop.example.com", status: "expiring", ok: false, reason: "the certificate of shop.example.com expires at 2026-12-15T00:00:00.000Z and renewal keeps failing: rate limited by the CA" });
    expect(body).not.toHaveProperty("release");
    expect(summaryLine(event)).toStartWith("❌ shop/prod: certificate of shop.example.com expiring");
    expect(eventLabel(event)).toBe("certificate prod shop.example.com");
  });

  test("slack: text plus blocks, user text escaped so it cannot link or ping", () => {
    expect(slackBody(failed, URL_)).toEqual({
      text: "❌ shop/prod: release #12 failed after 43 s (promote from dev#4): build #3 of api failed: npm ERR! &lt;missing&gt; &amp; gone",
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: `❌ *<${URL_}|shop/prod>*: release #12 *failed*\nbuild #3 of api failed: npm ERR! &lt;missing&gt; &amp; gone` } },
        { type: "context", elements: [{ type: "mrkdwn", text: "promote from dev#4 · 43 s" }] },
      ],
    });
  });

  test("discord: content plus one embed, and no mention ever pings", () => {
    expect(discordBody(releaseEvent(release({ reason: "@everyone look", status: "failed" })), URL_)).toEqual({
      content: "❌ shop/prod: release #12 failed after 43 s (deploy): @everyone look",
      embeds: [{
        title: "shop/prod release #12 failed",
        url: URL_,
        color: 0xe01e5a,
        description: "@everyone look",
        fields: [{ name: "Source", value: "deploy", inline: true }, { name: "Duration", value: "43 s", inline: true }],
        timestamp: "2026-12-02T10:00:42.500Z",
      }],
      allowed_mentions: { parse: [] },
    });
  });

  test("a long reason is cut for chat services; json keeps it whole", () => {
    const long = releaseEvent(release({ status: "failed", reason: "x".repeat(5000) }));
    for (const format of ["slack", "discord"] as const) expect(messageBody(format, long, URL_).length).toBeLessThan(2500);
    expect(discordBody(long, URL_).content.length).toBeLessThanOrEqual(2000);
    expect(JSON.parse(messageBody("json", long, URL_)).reason).toBe("x".repeat(5000));
  });
});
