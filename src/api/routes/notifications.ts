import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { NOTIFY_FORMATS, NOTIFY_KINDS } from "../../core/notify/event.ts";
import type { Notifications } from "../../core/notify/notifications.ts";
import { projectName } from "../../core/names.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";

const projectParam = z.object({ project: projectName });
const idParam = projectParam.extend({ id: z.coerce.number().int().positive() });
const addBody = z.strictObject({
  url: z.string().min(1).max(2048),
  format: z.enum(NOTIFY_FORMATS).optional(),
  events: z.array(z.enum(NOTIFY_KINDS)).max(NOTIFY_KINDS.length * 2).optional(),
});

export const notificationRoutes = (notifications: Notifications) =>
  new Hono<ApiEnv>()
    .get(
      "/:project/notifications",
      describeRoute({ summary: "A project's notification receivers: URL masked to scheme and host, the last delivery's status", tags: ["notifications"] }),
      valid("param", projectParam),
      (c) => c.json({ notifications: notifications.list(c.req.valid("param").project) }),
    )
    .post(
      "/:project/notifications",
      describeRoute({ summary: "Add a receiver: each finished release (and job run) of the events chosen is POSTed to the URL, stored encrypted", tags: ["notifications"] }),
      valid("param", projectParam),
      valid("json", addBody),
      (c) => c.json(notifications.add(c.req.valid("param").project, c.req.valid("json")), 201),
    )
    .post(
      "/:project/notifications/:id/test",
      describeRoute({ summary: "Send a test message (event `test`) to one receiver, once, and answer with how it went", tags: ["notifications"] }),
      valid("param", idParam),
      async (c) => {
        const { project, id } = c.req.valid("param");
        return c.json(await notifications.test(project, id));
      },
    )
    .delete(
      "/:project/notifications/:id",
      describeRoute({ summary: "Remove a receiver", tags: ["notifications"] }),
      valid("param", idParam),
      (c) => {
        const { project, id } = c.req.valid("param");
        notifications.remove(project, id);
        return c.body(null, 204);
      },
    );
