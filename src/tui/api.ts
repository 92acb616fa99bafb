import { readEvents } from "../client/sse.ts";
import { unwrap, type Client } from "../client/index.ts";

type Ok<T extends (...args: never[]) => unknown> = Awaited<ReturnType<T>>;
export type Env = { project: string; env: string };

/**
 * What the TUI asks of the API, over the one typed client: views and hooks get this object,
 * so tests can hand in a small fake and the SSH server an in-process client.
 */
export function tuiApi(client: Client) {
  const env = (e: Env) => client.projects[":project"].environments[":env"];
  const param = (e: Env) => ({ param: { project: e.project, env: e.env } });
  const status = (e: Env) => unwrap(env(e).status.$get(param(e)));
  return {
    whoami: () => unwrap(client.whoami.$get()),
    projects: async () => (await unwrap(client.projects.$get())).projects,
    environments: async (project: string) => (await unwrap(client.projects[":project"].environments.$get({ param: { project } }))).environments,
    status,
    top: (e: Env) => unwrap(env(e).top.$get(param(e))),
    releases: (e: Env) => unwrap(env(e).releases.$get(param(e))),
    builds: async (project: string) => (await unwrap(client.projects[":project"].builds.$get({ param: { project } }))).builds,
    jobs: async (e: Env) => (await unwrap(env(e).jobs.$get(param(e)))).jobs,
    jobRuns: async (e: Env) => (await unwrap(env(e)["job-runs"].$get({ ...param(e), query: {} }))).runs,
    vars: async (e: Env, block: string) =>
      (await unwrap(client.projects[":project"].environments[":env"].blocks[":block"].vars.$get({ param: { ...e, block } }))).vars,
    clients: async (e: Env) => (await unwrap(env(e).gateway.clients.$get(param(e)))).clients,
    certs: async () => (await unwrap(client.certs.$get())).certificates,
    users: async () => (await unwrap(client.users.$get())).users,
    diff: (e: Env) => unwrap(env(e).diff.$get(param(e))),
    deploy: (e: Env) => unwrap(env(e).deploys.$post({ ...param(e), query: {} })),
    promote: (e: Env, from: string, dryRun: boolean) => unwrap(env(e).promote.$post({ ...param(e), json: { from, dryRun, blocks: [] } })),
    rollback: (e: Env, to: number) => unwrap(env(e).rollback.$post({ ...param(e), json: { to } })),
    stop: (e: Env) => unwrap(env(e).stop.$post(param(e))),
    start: (e: Env) => unwrap(env(e).start.$post(param(e))),
    restart: (e: Env, block: string) => unwrap(env(e).restart.$post({ ...param(e), json: { blocks: [block] } })),
    runJob: (e: Env, job: string) => unwrap(env(e).jobs[":job"].runs.$post({ param: { ...e, job }, json: {} })),
    cancelBuild: (id: number) => unwrap(client.builds[":id"].cancel.$post({ param: { id: String(id) } })),
    /** Follows an environment's block logs (the stored tail first); returns a stop function. */
    followLogs(e: Env, blocks: string[], onLine: (line: LogLine) => void, onEnd: (error?: Error) => void): () => void {
      const abort = new AbortController();
      const query = { tail: "200", ...(blocks.length ? { blocks: blocks.join(",") } : {}) };
      env(e)
        .logs.stream.$get({ ...param(e), query }, { init: { signal: abort.signal } })
        .then((res) => readEvents(res as unknown as Response, (event) => event.event === "log" && onLine(JSON.parse(event.data) as LogLine)))
        .then(() => onEnd(), (error: Error) => abort.signal.aborted || onEnd(error));
      return () => abort.abort();
    },
    /** The environment's status now and at each change, over the API's event stream; returns a stop function. */
    followStatus(e: Env, onStatus: (body: Awaited<ReturnType<typeof status>>) => void, onEnd: (error?: Error) => void): () => void {
      const abort = new AbortController();
      env(e)
        .status.stream.$get(param(e), { init: { signal: abort.signal } })
        .then((res) => readEvents(res as unknown as Response, (event) => event.event === "status" && onStatus(JSON.parse(event.data))))
        .then(() => onEnd(), (error: Error) => abort.signal.aborted || onEnd(error));
      return () => abort.abort();
    },
    /** Follows a release's rollout log as it is written: the TUI's live deploy progress. */
    followRelease(id: number, onLine: (line: string) => void, onEnd: (release: { number: number; status: string; reason: string | null } | null) => void): () => void {
      const abort = new AbortController();
      let ended: { number: number; status: string; reason: string | null } | null = null;
      client.releases[":id"].log.stream
        .$get({ param: { id: String(id) } }, { init: { signal: abort.signal } })
        .then((res) =>
          readEvents(res as unknown as Response, (event) => {
            if (event.event === "log") onLine(event.data);
            else if (event.event === "end") ended = JSON.parse(event.data);
          }),
        )
        .then(() => onEnd(ended), () => abort.signal.aborted || onEnd(null));
      return () => abort.abort();
    },
  };
}

export type TuiApi = ReturnType<typeof tuiApi>;
export type Whoami = Ok<TuiApi["whoami"]>;
export type ProjectRow = Ok<TuiApi["projects"]>[number];
export type Status = Ok<TuiApi["status"]>;
export type BlockStatus = Status["blocks"][number];
export type Top = Ok<TuiApi["top"]>;
export type Releases = Ok<TuiApi["releases"]>;
export type Diff = Ok<TuiApi["diff"]>;

export interface LogLine {
  time: string;
  block: string;
  replica: number;
  release: number;
  stream: string;
  text: string;
}
