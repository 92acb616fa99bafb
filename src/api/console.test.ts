import { expect, test } from "bun:test";
import { Hono } from "hono";
import { mountConsole } from "./console.ts";

const app = new Hono();
mountConsole(app);

test("every console screen's URL answers the page under a CSP without inline script, so deep links and reloads work", async () => {
  for (const path of ["/", "/p/shop", "/p/shop/env/dev/logs", "/certs", "/api-docs", "/invite/abc"]) {
    const res = await app.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self';");
    expect(await res.text()).toContain('<script type="module" src="/console.js">');
  }
  expect((await app.request("/elsewhere")).status).toBe(404);
});

test("the bundled script and style are served with their types", async () => {
  const js = await app.request("/console.js");
  expect(js.headers.get("content-type")).toStartWith("text/javascript");
  expect((await js.text()).length).toBeGreaterThan(1000);
  const css = await app.request("/console.css");
  expect(css.headers.get("content-type")).toStartWith("text/css");
  expect(await css.text()).toContain("prefers-color-scheme");
});
