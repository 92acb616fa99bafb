import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, type Page, chromium } from "playwright-core";
import { startServe } from "./support/binary.ts";

// Debian's own build: playwright-core drives it and never downloads a browser.
const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const STEP_MS = 30_000;

// Image blocks deploy nothing here; the git block points at a repository that does not exist,
// so its build fails at once, without Docker, and gives the builds table a row.
const PROJECT = `project: shop
blocks:
  web: { kind: website, image: berth-base/busybox:latest, port: 8080 }
  cache: { kind: service, image: redis:7, port: 6379 }
  api:
    kind: microservice
    git: { url: "file:///nonexistent/shop-api.git" }
    build: { dockerfile: Dockerfile }
    port: 8000
  backup: { kind: job, image: berth-base/busybox:latest, schedule: "0 3 * * *" }
environments:
  dev: {}
  prod: { ref: main }
`;
const WITH_QUEUE = PROJECT.replace("environments:", "  queue: { kind: service, image: redis:7, port: 6380 }\nenvironments:");

interface Session {
  server: Awaited<ReturnType<typeof startServe>>;
  context: BrowserContext;
  page: Page;
  profile: string;
  cspErrors: string[];
}

let opened: Promise<Session> | undefined;
/** One server and one browser for the whole file, opened in beforeAll. */
const session = () => (opened ??= open());

// Set-up, not the first test's work: a slow start on a busy machine must not fail (or time
// out) a test that checks something else.
beforeAll(async () => {
  await session();
}, 180_000);

async function open(): Promise<Session> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/test-env/setup.sh installs it)`);
  const server = await startServe(["--no-edge"]);
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, PROJECT);
  const applied = await server.run(["apply", "-f", file]);
  if (applied.code !== 0) throw new Error(`berth apply failed: ${applied.stderr}`);
  const build = await server.run(["build", "shop", "api"]);
  if (!build.stderr.includes("build #1 failed")) throw new Error(`expected build #1 to fail at once, got: ${build.stdout}${build.stderr}`);

  const profile = mkdtempSync(join(tmpdir(), "berth-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1100, height: 760 } });
  const page = context.pages()[0] ?? (await context.newPage());
  const cspErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && message.text().includes("Content Security Policy")) cspErrors.push(message.text());
  });
  return { server, context, page, profile, cspErrors };
}

afterAll(async () => {
  const s = await opened?.catch(() => undefined);
  if (!s) return;
  await s.context.close();
  await s.server.close();
  rmSync(s.profile, { recursive: true, force: true });
});

/** The text of each cell of each body row of a table, once it shows at least one row. */
async function rows(page: Page, table: string): Promise<string[][]> {
  await page.locator(`${table} tbody tr`).first().waitFor();
  return page.locator(`${table} tbody tr`).evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")));
}

const statusLine = (page: Page) => page.locator("#status").textContent();
const storedToken = (page: Page) => page.evaluate(() => localStorage.getItem("berth.token"));

async function signIn(page: Page, token: string) {
  await page.fill("#token", token);
  await page.click("#login button");
}

describe("web console in Debian's Chromium, against the compiled binary", () => {
  test(
    "a visitor sees the sign-in form, served with a CSP that allows no inline code",
    async () => {
      const { server, page } = await session();
      const response = await page.goto(server.url);
      expect(response?.headers()["content-security-policy"]).toContain("script-src 'self';");
      expect(response?.headers()["content-security-policy"]).not.toContain("unsafe-inline");
      // The form is hidden in the HTML: it shows only once console.js ran under that CSP.
      await page.locator("#login").waitFor();
      expect(await page.locator("#token").getAttribute("type")).toBe("password");
      expect(await page.locator("#signout").isVisible()).toBe(false);
      expect(await page.locator("#projects-view").isVisible()).toBe(false);
    },
    STEP_MS,
  );

  test(
    "a wrong token shows the API's error, is not kept, and the form stays",
    async () => {
      const { page } = await session();
      await signIn(page, "berth_not-a-real-token");
      await page.locator("#status.error").waitFor();
      expect(await statusLine(page)).toBe("the API token is not valid");
      expect(await page.locator("#login").isVisible()).toBe(true);
      expect(await storedToken(page)).toBeNull();
    },
    STEP_MS,
  );

  test(
    "the admin token lists the project",
    async () => {
      const { server, page } = await session();
      const token = readFileSync(join(server.dataDir, "admin.token"), "utf8").trim();
      await signIn(page, token);
      await page.locator("#projects-view").waitFor();
      expect(await page.locator("#login").isVisible()).toBe(false);
      expect(await statusLine(page)).toBe("");
      expect(await page.locator("#who").textContent()).toContain("(owner)");
      const [project] = await rows(page, "#projects-view table");
      expect(project!.slice(0, 3)).toEqual(["shop", "4", "dev, prod"]);
    },
    STEP_MS,
  );

  test(
    "clicking through shows the environments, then each block's status and the builds",
    async () => {
      const { page } = await session();
      await page.getByRole("link", { name: "shop", exact: true }).click();
      await page.locator("#environments-view").waitFor();
      expect(new URL(page.url()).hash).toBe("#/p/shop");
      expect(await page.locator("#environments-view h2").textContent()).toBe("shop");
      expect(await rows(page, "#environments-view table")).toEqual([
        ["dev", "—", "no", "—"],
        ["prod", "main", "no", "—"],
      ]);

      await page.getByRole("link", { name: "dev", exact: true }).click();
      await page.locator("#environment-view").waitFor();
      expect(new URL(page.url()).hash).toBe("#/p/shop/dev");
      expect(await page.locator("#environment-view h2").textContent()).toBe("shop / dev");
      expect(await page.locator("#release").textContent()).toStartWith("Not deployed yet");
      const blocks = await rows(page, "#blocks");
      expect(blocks.map((cells) => cells.slice(0, 4))).toEqual([
        ["web", "website", "stopped", "0/1"],
        ["cache", "service", "stopped", "0/1"],
        ["api", "microservice", "stopped", "0/1"],
      ]);
      // A website has a public address, shown as a link; a service has none.
      const web = page.locator("#blocks tbody tr").first().locator("a");
      expect(await web.getAttribute("href")).toMatch(/^http:\/\/web\.dev\.shop\.localhost:\d+\/$/);
      expect(blocks[1]![4]).toBe("—");

      // Jobs are listed apart from the blocks; nothing is scheduled before a deploy.
      expect(await rows(page, "#jobs")).toEqual([["backup", "schedule", "0 3 * * * (UTC)", "—", "—"]]);

      const [build] = await rows(page, "#builds");
      expect(build!.slice(0, 4)).toEqual(["#1", "api", "failed", "—"]);
      expect(build![4]).toContain("cannot reach file:///nonexistent/shop-api.git");
    },
    STEP_MS,
  );

  test(
    "the status table refreshes by itself, and a reload keeps the place",
    async () => {
      const { server, page } = await session();
      writeFileSync(join(server.home, "berth.yaml"), WITH_QUEUE);
      expect((await server.run(["apply", "-f", join(server.home, "berth.yaml")])).code).toBe(0);
      // No click, no reload: the next 5-second refresh brings the new block in.
      await page.locator("#blocks td", { hasText: /^queue$/ }).waitFor({ timeout: 7_000 });

      await page.reload();
      await page.locator("#environment-view").waitFor();
      expect(new URL(page.url()).hash).toBe("#/p/shop/dev");
      expect((await rows(page, "#blocks")).map((cells) => cells[0])).toEqual(["web", "cache", "api", "queue"]);
      expect(await page.locator("#login").isVisible()).toBe(false);
      const picture = process.env.BERTH_CONSOLE_SCREENSHOT;
      if (picture) await page.screenshot({ path: picture, fullPage: true });
    },
    STEP_MS,
  );

  test(
    "an API error shows in the status line, and the breadcrumbs lead back",
    async () => {
      const { page } = await session();
      await page.evaluate(() => (location.hash = "#/p/nope"));
      await page.locator("#status.error").waitFor();
      expect(await statusLine(page)).toBe('project "nope" not found');
      expect(await page.locator("#environments-view").isVisible()).toBe(false);
      await page.locator("#crumbs").getByRole("link", { name: "Projects" }).click();
      await page.locator("#projects-view").waitFor();
      expect(await statusLine(page)).toBe("");
    },
    STEP_MS,
  );

  test(
    "the API link shows the OpenAPI document as a readable table of routes",
    async () => {
      const { page } = await session();
      await page.getByRole("link", { name: "API", exact: true }).click();
      await page.locator("#api-view").waitFor();
      expect(new URL(page.url()).hash).toBe("#/api");
      const routes = await rows(page, "#routes");
      const deploy = routes.find((cells) => cells[0] === "POST" && cells[1] === "/api/projects/{project}/environments/{env}/deploys");
      expect(deploy).toBeDefined();
      expect(deploy![3]).toContain("project (path)");
      expect(routes.some((cells) => cells[0] === "GET" && cells[1] === "/api/whoami")).toBe(true);
    },
    STEP_MS,
  );

  test(
    "sign out drops the token and returns to the form, also after a reload",
    async () => {
      const { page, cspErrors } = await session();
      await page.click("#signout");
      await page.locator("#login").waitFor();
      expect(await page.locator("#projects-view").isVisible()).toBe(false);
      expect(await page.locator("#who").textContent()).toBe("");
      expect(await storedToken(page)).toBeNull();
      await page.reload();
      await page.locator("#login").waitFor();
      expect(await page.locator("#signout").isVisible()).toBe(false);
      expect(cspErrors).toEqual([]);
    },
    STEP_MS,
  );
});
