import type { Env, TuiApi } from "../api.ts";
import { age, filterRows, shortCommit } from "../format.ts";
import type { View } from "../keys.ts";
import { blockColumns, blockRows, fieldColumns, releaseColumns, type TableModel } from "../tables.ts";
import { useResource } from "./use-resource.ts";
import type { useEnvLive } from "./use-env-live.ts";

const LIST_EVERY_MS = 3000;

type Live = ReturnType<typeof useEnvLive>;
// Each view has its own row type; the caller only counts, filters and draws them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTable = TableModel<any>;

function model<Row>(rows: Row[] | null | undefined, columns: TableModel<Row>["columns"], empty: string, filter: string | undefined): TableModel<Row> {
  const text = (row: Row) => columns.map((c) => c.cell(row)).join(" ");
  return { columns, rows: filterRows(rows ?? [], filter, text), text, empty } as TableModel<Row>;
}

/** The table of the list views (all but projects and logs), loaded while the view shows. */
export function useViewModel(api: TuiApi, view: View, env: Env | null, block: string | null, live: Live, filter: string | undefined) {
  const key = `${view}:${env?.project}/${env?.env}:${block}`;
  const firstBlock = live.status.data?.blocks[0]?.name ?? null;
  const loaders: Partial<Record<View, (() => Promise<unknown[]>) | null>> = {
    builds: env ? () => api.builds(env.project) : null,
    jobs: env ? () => api.jobs(env) : null,
    vars: env && (block ?? firstBlock) ? () => api.vars(env, (block ?? firstBlock)!) : null,
    clients: env ? () => api.clients(env) : null,
    certs: () => api.certs(),
    users: () => api.users(),
  };
  const list = useResource(loaders[view] ?? null, key, LIST_EVERY_MS);
  const rows = list.data as never[] | null;
  const blocks = blockRows(live.status.data, live.top.data, live.releases.data);
  const table = ((): AnyTable => {
    switch (view) {
      case "projects":
      case "blocks":
        return model(blocks, blockColumns, live.status.data?.stopped ? "the environment is stopped (s starts it)" : env ? "no blocks" : "pick an environment", view === "blocks" ? filter : undefined) as AnyTable;
      case "releases":
        return model(live.releases.data?.releases, releaseColumns, "no releases yet (d deploys)", filter) as AnyTable;
      case "builds":
        return model(rows as never, fieldColumns<{ id: number; block: string; environment: string; status: string; commit: string | null; reason: string | null; createdAt: string }>([
          ["ID", (r) => String(r.id), 10], ["BLOCK", (r) => r.block, 9], ["ENV", (r) => r.environment, 7], ["STATUS", (r) => r.status, 8],
          ["COMMIT", (r) => shortCommit(r.commit), 5], ["AGE", (r) => age(r.createdAt), 6], ["REASON", (r) => r.reason ?? "", 2],
        ]) as never, "no builds", filter);
      case "jobs":
        return model(rows as never, fieldColumns<{ name: string; trigger: string; schedule: string | null; nextRun: string | null; lastRun: { id: number; status: string; finishedAt: string | null } | null }>([
          ["JOB", (r) => r.name, 10], ["TRIGGER", (r) => r.trigger, 8], ["SCHEDULE", (r) => r.schedule ?? "-", 6], ["NEXT", (r) => r.nextRun?.slice(0, 16) ?? "-", 4],
          ["LAST", (r) => (r.lastRun ? `#${r.lastRun.id} ${r.lastRun.status}` : "-"), 7], ["AGO", (r) => age(r.lastRun?.finishedAt), 5],
        ]) as never, "no job blocks in this environment", filter);
      case "vars":
        return model(rows as never, fieldColumns<{ name: string; value: string; secret: boolean; source?: string }>([
          ["NAME", (r) => r.name, 10], ["VALUE", (r) => (r.secret ? "••••••" : r.value), 8], ["SECRET", (r) => (r.secret ? "yes" : ""), 6],
        ]) as never, `no variables for ${block ?? firstBlock ?? "this block"}`, filter);
      case "clients":
        return model(rows as never, fieldColumns<{ clientId: string; name: string; createdAt: string }>([
          ["CLIENT", (r) => r.clientId, 10], ["NAME", (r) => r.name, 8], ["AGE", (r) => age(r.createdAt), 6],
        ]) as never, "no gateway clients", filter);
      case "certs":
        return model(rows as never, fieldColumns<{ host: string; source: string; status: string; issuer: string | null; notAfter: string | null; reason: string | null }>([
          ["HOST", (r) => r.host, 10], ["STATUS", (r) => r.status, 9], ["SOURCE", (r) => r.source, 5], ["EXPIRES", (r) => r.notAfter?.slice(0, 10) ?? "-", 7],
          ["ISSUER", (r) => r.issuer ?? "-", 3], ["REASON", (r) => r.reason ?? "", 2],
        ]) as never, "no certificates", filter);
      case "users":
        return model(rows as never, fieldColumns<{ name: string; role: string; hasPassword: boolean; grants: { project: string; role: string }[]; keys: unknown[]; createdAt: string }>([
          ["NAME", (r) => r.name, 10], ["ROLE", (r) => r.role, 9], ["PROJECTS", (r) => r.grants.map((g) => `${g.project}:${g.role}`).join(" ") || "-", 8],
          ["KEYS", (r) => String(r.keys.length), 6], ["PASSWORD", (r) => (r.hasPassword ? "set" : "not set"), 7], ["ADDED", (r) => age(r.createdAt), 5],
        ]) as never, "no users", filter);
      default:
        return model<unknown>([], [], "", undefined);
    }
  })();
  return { table, error: list.error, reload: list.reload, block: block ?? firstBlock };
}
