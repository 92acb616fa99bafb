import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { createServices } from "../../src/app.ts";
import { migrate, openDb } from "../../src/adapters/store/db.ts";
import { createHttpApp } from "../../src/api/index.ts";
import { createClient } from "../../src/client/index.ts";
import type { Role } from "../../src/core/roles.ts";
import { emptyEngine } from "./empty-engine.ts";
import { createUserStore } from "../../src/adapters/store/user-store.ts";
import { createUsers } from "../../src/core/people/users.ts";

/**
 * Real argon2id at its lowest cost: the production cost (64 MiB, two passes) makes each check
 * take a good part of a second on a loaded machine, and lock-out tests check a dozen passwords.
 */
export const cheapArgon2 = {
  hash: (password: string) => Bun.password.hash(password, { algorithm: "argon2id", memoryCost: 8, timeCost: 1 }),
  verify: (password: string, hash: string) => Bun.password.verify(password, hash),
};

/**
 * A real SQLite state in memory with the real migrations, and the services over it. The
 * engine is an empty stand-in: teardown on the real engine is tested end to end.
 */
export function memoryState(env: Record<string, string> = {}) {
  const db = openDb(":memory:");
  migrate(db);
  const config = loadConfig({ env: { BERTH_DATA_DIR: mkdtempSync(join(tmpdir(), "berth-state-")), ...env } });
  const services = createServices(db, randomBytes(32), config, emptyEngine());
  services.users = createUsers({ store: createUserStore(db), hasher: cheapArgon2, consoleUrl: "http://berth.test" });
  return { db, services };
}

/** The HTTP app over a fresh state (settings as BERTH_* variables), an owner token, and typed clients that call it without a socket. */
export function apiHarness(env: Record<string, string> = {}) {
  const { db, services } = memoryState(env);
  const app = createHttpApp(services);
  const ownerToken = services.tokens.bootstrapOwner()!;
  const owner = services.sessions.forToken(services.tokens.authenticate(ownerToken))!;
  const fetch = ((input: RequestInfo | URL, init?: RequestInit) => app.request(input, init)) as typeof globalThis.fetch;
  const clientFor = (token?: string) => createClient({ url: "http://berth.test", token, fetch });
  const tokenWithRole = (role: Role) => services.tokens.create(owner, { name: `${role}-token`, role }).token;
  return { db, services, app, ownerToken, client: clientFor(ownerToken), clientFor, tokenWithRole };
}
