import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Variables } from "../../core/variables.ts";
import { blockName, envName, environmentName, projectName } from "../../core/names.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";

const refParam = z.object({ project: projectName, env: environmentName, block: blockName });
const setBody = z.strictObject({
  vars: z.record(envName, z.string().max(65536)).refine((v) => Object.keys(v).length > 0, "at least one variable"),
  secret: z.boolean().optional(),
});
const unsetBody = z.strictObject({ names: z.array(envName).min(1) });

const block = (c: { req: { param: (name: "block") => string } }) => `block ${c.req.param("block")}:`;

const ref = (p: z.output<typeof refParam>) => ({ project: p.project, environment: p.env, block: p.block });

export const variableRoutes = (variables: Variables) =>
  new Hono<ApiEnv>()
    .get("/:project/environments/:env/blocks/:block/vars", describeRoute({ summary: "List variables (secrets masked)", tags: ["variables"] }), valid("param", refParam), (c) =>
      c.json({ vars: variables.list(ref(c.req.valid("param"))) }),
    )
    .get(
      "/:project/environments/:env/blocks/:block/vars/:name",
      describeRoute({ summary: "One variable; a secret stays masked unless ?reveal=true (admins only)", tags: ["variables"] }),
      valid("param", refParam.extend({ name: envName })),
      valid("query", z.object({ reveal: z.enum(["true", "false"]).optional() })),
      (c) => {
        const p = c.req.valid("param");
        return c.json(variables.reveal(ref(p), p.name, c.req.valid("query").reveal === "true"));
      },
    )
    .put(
      "/:project/environments/:env/blocks/:block/vars",
      describeRoute({ summary: "Set variables; `secret` stores them encrypted and never returns them", tags: ["variables"] }),
      valid("param", refParam),
      valid("json", setBody),
      (c) => {
        const body = c.req.valid("json");
        // The audit log keeps the names, never the values.
        c.set("auditDetail", `${block(c)} ${Object.keys(body.vars).join(",")}${body.secret ? " (secret)" : ""}`.slice(0, 1000));
        return c.json({ set: variables.set(ref(c.req.valid("param")), body.vars, body.secret ?? false) });
      },
    )
    .post(
      "/:project/environments/:env/blocks/:block/vars/unset",
      describeRoute({ summary: "Remove variables set with vars set", tags: ["variables"] }),
      valid("param", refParam),
      valid("json", unsetBody),
      (c) => {
        c.set("auditDetail", `${block(c)} ${c.req.valid("json").names.join(",")}`.slice(0, 1000));
        return c.json({ removed: variables.unset(ref(c.req.valid("param")), c.req.valid("json").names) });
      },
    );
