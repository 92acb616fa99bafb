import { describe, expect, test } from "bun:test";
import { parseDuration, parseWrk } from "./wrk.ts";

const CLEAN = `Running 10s test @ http://127.0.0.1:8080/
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   612.40us  210.11us  12.26ms   93.10%
    Req/Sec    52.71k     3.10k   57.02k    71.00%
  Latency Distribution
     50%  581.00us
     75%  640.00us
     90%  720.00us
     99%    1.43ms
  524488 requests in 10.00s, 68.53MB read
Requests/sec:  52448.12
Transfer/sec:      6.85MB
`;

const FAILING = `Running 2s test @ http://127.0.0.1:8080/api
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.20s   300.00ms    2.00s    70.00%
    Req/Sec    10.00      5.00     20.00     50.00%
  Latency Distribution
     50%    1.10s
     75%    1.50s
     90%    1.90s
     99%    2.00s
  27 requests in 2.01s, 3.10KB read
  Socket errors: connect 3, read 2, write 1, timeout 4
  Non-2xx or 3xx responses: 7
Requests/sec:     13.43
Transfer/sec:      1.54KB
`;

describe("wrk output", () => {
  test("a clean run: rate, count, percentiles in ms whatever wrk's unit", () => {
    expect(parseWrk(CLEAN)).toEqual({ requests: 524488, seconds: 10, requestsPerSecond: 52448.12, p50Ms: 0.581, p99Ms: 1.43, non2xx: 0, socketErrors: 0 });
  });

  test("socket errors of every kind are summed, non-2xx counted, seconds converted", () => {
    const result = parseWrk(FAILING);
    expect(result.socketErrors).toBe(10);
    expect(result.non2xx).toBe(7);
    expect(result.p50Ms).toBe(1100);
    expect(result.p99Ms).toBe(2000);
  });

  test("output without --latency names what is missing", () => {
    const withoutLatency = CLEAN.replace(/  Latency Distribution\n(.*\n){4}/, "");
    expect(() => parseWrk(withoutLatency)).toThrow("no 50% latency");
  });

  test("durations", () => {
    expect(parseDuration("250.00us")).toBeCloseTo(0.25);
    expect(parseDuration("3.00m")).toBe(180_000);
    expect(() => parseDuration("fast")).toThrow("not a duration");
  });
});
