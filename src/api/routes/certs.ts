import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Certs } from "../../core/tls/certs.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";

const hostParam = z.object({ host: z.string().min(1).max(253) });
const pem = (what: string) => z.string().min(1).max(64 * 1024).regex(/-----BEGIN [A-Z ]+-----/, `expected a PEM ${what}`);

/** Certificates of the whole install; keys go in (import) and never come out. */
export const certRoutes = (certs: Certs) =>
  new Hono<ApiEnv>()
    .get("/certs", describeRoute({ summary: "Every certificate: host, issuer, expiry, status and the next attempt (never keys)", tags: ["certs"] }), (c) =>
      c.json({ certificates: certs.list() }),
    )
    .post("/certs/:host/renew", describeRoute({ summary: "Order a new certificate for a host now", tags: ["certs"] }), valid("param", hostParam), (c) =>
      c.json(certs.renew(c.req.valid("param").host), 202),
    )
    .put(
      "/certs/:host",
      describeRoute({ summary: "Import a certificate and its key for a host (served as is, not renewed by Berth)", tags: ["certs"] }),
      valid("param", hostParam),
      valid("json", z.strictObject({ cert: pem("certificate"), key: pem("private key") })),
      (c) => {
        const body = c.req.valid("json");
        return c.json(certs.import(c.req.valid("param").host, body.cert, body.key));
      },
    );
