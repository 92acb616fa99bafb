import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Users } from "../../core/people/users.ts";
import { GLOBAL_ROLES } from "../../core/roles.ts";
import type { ApiEnv } from "../env.ts";
import { authorizeSelfService } from "../policy.ts";
import { valid } from "../validate.ts";

const nameParam = z.object({ name: z.string().min(1).max(64) });
const keyLine = z.string().min(1).max(16 * 1024);

const addBody = z.strictObject({
  name: z.string().min(1).max(64),
  role: z.enum(GLOBAL_ROLES).optional(),
  password: z.string().min(1).max(1024).optional(),
  sshKeys: z.array(keyLine).max(50).optional(),
});

/** The caller's own password, asked again before a lasting change made through a console session. */
export const currentPassword = z.string().min(1).max(1024);

export const userRoutes = (users: Users) =>
  new Hono<ApiEnv>()
    .get("/", describeRoute({ summary: "Users: name, global role, grants, SSH keys, whether a password is set", tags: ["users"] }), (c) => c.json({ users: users.list() }))
    .post(
      "/",
      describeRoute({ summary: "Add a user; without a password the answer carries a one-time invitation link (48 h)", tags: ["users"] }),
      valid("json", addBody),
      async (c) => {
        const body = c.req.valid("json");
        c.set("auditDetail", `user ${body.name}`);
        return c.json(await users.add(c.get("principal"), body), 201);
      },
    )
    .get("/:name", describeRoute({ summary: "One user", tags: ["users"] }), valid("param", nameParam), (c) => c.json(users.show(c.req.valid("param").name)))
    .delete("/:name", describeRoute({ summary: "Remove a user with their tokens, sessions, keys and grants", tags: ["users"] }), valid("param", nameParam), (c) => {
      const { name } = c.req.valid("param");
      c.set("auditDetail", `user ${name}`);
      users.remove(c.get("principal"), name);
      return c.body(null, 204);
    })
    .put(
      "/:name/role",
      describeRoute({ summary: "Set a user's global role (none: only what project grants give)", tags: ["users"] }),
      valid("param", nameParam),
      valid("json", z.strictObject({ role: z.enum(GLOBAL_ROLES) })),
      (c) => {
        const { name } = c.req.valid("param");
        const { role } = c.req.valid("json");
        c.set("auditDetail", `user ${name} role ${role}`);
        return c.json(users.setRole(c.get("principal"), name, role));
      },
    )
    .post("/:name/invitation", describeRoute({ summary: "A new invitation link for a user (the previous one stops working)", tags: ["users"] }), valid("param", nameParam), (c) => {
      const { name } = c.req.valid("param");
      c.set("auditDetail", `user ${name}`);
      return c.json(users.reinvite(c.get("principal"), name), 201);
    })
    .put(
      "/:name/password",
      describeRoute({ summary: "Set one's own password (an admin: anyone's up to their role); every session of the user ends. Through a console session, the caller's current password too", tags: ["users"] }),
      valid("param", nameParam),
      valid("json", z.strictObject({ password: z.string().min(1).max(1024), currentPassword: currentPassword.optional() })),
      async (c) => {
        const { name } = c.req.valid("param");
        authorizeSelfService(c.get("principal"), name);
        c.set("auditDetail", `user ${name}`);
        const body = c.req.valid("json");
        await users.confirmPresence(c.get("principal"), body.currentPassword);
        await users.setPassword(c.get("principal"), name, body.password);
        return c.body(null, 204);
      },
    )
    .post(
      "/:name/keys",
      describeRoute({ summary: "Add an SSH public key (one authorized_keys line) to a user; answers its SHA256 fingerprint", tags: ["users"] }),
      valid("param", nameParam),
      valid("json", z.strictObject({ key: keyLine })),
      (c) => {
        const { name } = c.req.valid("param");
        authorizeSelfService(c.get("principal"), name);
        const added = users.addKey(c.get("principal"), name, c.req.valid("json").key);
        c.set("auditDetail", `user ${name} key ${added.fingerprint}`);
        return c.json(added, 201);
      },
    )
    .delete(
      "/:name/keys/:fingerprint",
      describeRoute({ summary: "Remove a user's SSH key by its fingerprint (SHA256:…)", tags: ["users"] }),
      valid("param", nameParam.extend({ fingerprint: z.string().min(1).max(100) })),
      (c) => {
        const { name, fingerprint } = c.req.valid("param");
        authorizeSelfService(c.get("principal"), name);
        c.set("auditDetail", `user ${name} key ${fingerprint}`);
        users.removeKey(c.get("principal"), name, fingerprint);
        return c.body(null, 204);
      },
    )
    .delete("/:name/sessions", describeRoute({ summary: "Sign a user out of every console session", tags: ["users"] }), valid("param", nameParam), (c) => {
      const { name } = c.req.valid("param");
      authorizeSelfService(c.get("principal"), name);
      c.set("auditDetail", `user ${name}`);
      return c.json({ ended: users.signOutEverywhere(c.get("principal"), name) });
    });
