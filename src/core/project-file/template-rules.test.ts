import { describe, expect, test } from "bun:test";
import { parseProjectFile } from "./parse.ts";
import { expectBerthError } from "../../../test/support/errors.ts";

const problems = (text: string) => expectBerthError(() => parseProjectFile(text)).issues.map((i) => `${i.path}: ${i.message}`);

describe("catalog services in berth.yaml", () => {
  test("a templated service needs no image or port; other blocks read its exports", () => {
    const file = parseProjectFile(`project: p
blocks:
  db: { kind: service, template: postgres, version: 15, backup: { schedule: "0 3 * * *", keep: 7 } }
  web: { kind: worker, image: busybox, env: { DATABASE_URL: "\${{ db.url }}" } }
environments:
  prod: { blocks: { web: { env: { PGHOST: "\${{ db.host }}" } } } }
`);
    expect(file.blocks.db).toEqual({ kind: "service", template: "postgres", version: "15", backup: { schedule: "0 3 * * *", keep: 7 } });
    expect(file.blocks.web!.env).toEqual({ DATABASE_URL: "${{ db.url }}" });
  });

  test("an unknown export, service or template, and an unsupported version are refused, naming the path", () => {
    expect(problems(`project: p
blocks:
  db: { kind: service, template: postgres, version: "9" }
  plain: { kind: service, image: busybox, port: 80 }
  web: { kind: worker, image: busybox, env: { A: "\${{ db.nope }}", B: "\${{ ghost.url }}", C: "\${{ plain.url }}" } }
environments:
  dev: { blocks: { web: { env: { D: "\${{ db.pass }}" } } } }
`)).toEqual([
      "blocks.db.version: postgres 9 is not supported (supported: 13, 14, 15, 16, 17)",
      'blocks.web.env.A: service "db" has no export "nope" (it has: host, port, user, password, database, url)',
      'blocks.web.env.B: no block named "ghost" to read url from',
      'blocks.web.env.C: block "plain" is not a service from the catalog (set its `template`)',
      'environments.dev.blocks.web.env.D: service "db" has no export "pass" (it has: host, port, user, password, database, url)',
    ]);
    expect(problems("project: p\nblocks:\n  db: { kind: service, template: postgress }\n")[0]).toContain('did you mean "postgres"');
  });

  test("a template brings the image: a source beside it, version or backup without it, or a backup of kafka are refused", () => {
    expect(problems(`project: p
blocks:
  db: { kind: service, template: postgres, image: "postgres:16" }
  raw: { kind: service, image: busybox, port: 80, version: "1", backup: { keep: 1 } }
  events: { kind: service, template: kafka, backup: { keep: 3 } }
`)).toEqual([
      "blocks.db.image: a postgres service runs the template's image: drop `image`",
      "blocks.raw.version: needs a `template`",
      "blocks.raw.backup: needs a `template`",
      "blocks.events.backup: the kafka template has no dump to back up: keep its volume instead",
    ]);
    expect(problems("project: p\nblocks:\n  w: { kind: worker, image: busybox, template: redis }\n")).toEqual(["blocks.w.template: not used by a worker block"]);
  });
});
