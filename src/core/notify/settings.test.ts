import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig, parseQuantity } from "../../config.ts";
import { deliveryBoundMs } from "./delivery.ts";

describe("notification settings", () => {
  test("the defaults give up a message within about two minutes", () => {
    const config = loadConfig({ env: {} });
    expect(config.publicUrl).toBeUndefined();
    const policy = { attempts: config.notifyAttempts, firstDelayMs: parseQuantity(config.notifyRetryDelay), timeoutMs: parseQuantity(config.notifyTimeout) };
    expect(policy).toEqual({ attempts: 5, firstDelayMs: 5000, timeoutMs: 10_000 });
    expect(deliveryBoundMs(policy)).toBeLessThanOrEqual(130_000);
  });

  test("publicUrl takes an http(s) URL and refuses anything else naming the setting", () => {
    expect(loadConfig({ env: { BERTH_PUBLIC_URL: "https://berth.example.com" } }).publicUrl).toBe("https://berth.example.com");
    for (const bad of ["berth.example.com", "ftp://berth.example.com", "https://"]) {
      expect(() => loadConfig({ env: { BERTH_PUBLIC_URL: bad } })).toThrow(new ConfigError("config: BERTH_PUBLIC_URL: expected an http(s) URL such as https://berth.example.com"));
    }
    expect(() => loadConfig({ env: { BERTH_NOTIFY_ATTEMPTS: "0" } })).toThrow(ConfigError);
  });
});
