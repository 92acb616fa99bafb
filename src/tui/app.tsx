import { Box, useApp, useInput, useStdin, useWindowSize } from "ink";
import { useEffect, useMemo, useReducer, useRef } from "react";
import type { TuiApi, Whoami } from "./api.ts";
import { filterRows } from "./format.ts";
import { createActions } from "./hooks/use-actions.ts";
import { useEnvLive } from "./hooks/use-env-live.ts";
import { useLogs } from "./hooks/use-logs.ts";
import { useResource } from "./hooks/use-resource.ts";
import { useViewModel } from "./hooks/use-view-model.ts";
import { handleKey, splitChunk } from "./input.ts";
import { roleOn, type Me } from "./role.ts";
import { footerKeys } from "./keys.ts";
import { currentView, initialState, reduce, type Msg } from "./state.ts";
import { theme as makeTheme } from "./theme.ts";
import { Footer } from "./views/footer.tsx";
import { Header } from "./views/header.tsx";
import { Help } from "./views/help.tsx";
import { LogsView } from "./views/logs.tsx";
import { PromptBox } from "./views/prompt.tsx";
import { Sidebar, type EnvItem } from "./views/sidebar.tsx";
import { Table } from "./views/table.tsx";

export interface AppProps {
  api: TuiApi;
  me: Whoami;
  machine: string;
  url: string;
  color: boolean;
}

const PROJECTS_EVERY_MS = 3000;
const FLASH_MS = 6000;

/** Picks the view; the state lives in the reducer and the hooks. */
export function App({ api, me, machine, url, color }: AppProps) {
  const [state, dispatch] = useReducer(reduce, undefined, initialState);
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const { columns: width, rows: height } = useWindowSize();
  const view = currentView(state);
  const theme = makeTheme(color);

  const projects = useResource(() => api.projects(), "projects", PROJECTS_EVERY_MS);
  const allEnvs: EnvItem[] = (projects.data ?? []).flatMap((p) => p.environments.map((env) => ({ project: p.name, env, stopped: false })));
  const envs = view === "projects" ? filterRows(allEnvs, state.filter.projects, (i) => `${i.project} ${i.env}`) : allEnvs;
  const sideCursor = Math.min(state.cursor.projects ?? 0, Math.max(0, envs.length - 1));
  const picked = envs[sideCursor];
  useEffect(() => {
    if (picked && view === "projects") dispatch({ type: "env", env: { project: picked.project, env: picked.env } });
  }, [picked?.project, picked?.env, view]);

  const role = roleOn(me as Me, state.env?.project ?? null);
  const live = useEnvLive(api, state.env, (text, failed) => dispatch({ type: "flash", flash: { kind: failed ? "error" : "info", text } }));
  const model = useViewModel(api, view, state.env, state.block, live, state.filter[view]);
  const logs = useLogs(api, state.env, state.block, view === "logs");
  const logLines = filterRows(logs.lines, state.filter.logs, (l) => `${l.block} ${l.text}`);
  const actions = useMemo(() => createActions(api, dispatch), [api]);

  useEffect(() => {
    if (!state.flash || state.flash.kind === "busy") return;
    const timer = setTimeout(() => dispatch({ type: "flash", flash: null }), FLASH_MS);
    return () => clearTimeout(timer);
  }, [state.flash]);
  const loadError = projects.error ?? live.status.error ?? model.error;
  useEffect(() => {
    if (loadError) dispatch({ type: "flash", flash: { kind: "error", text: loadError } });
  }, [loadError]);

  const bodyHeight = Math.max(3, height - 3);
  const sideWidth = Math.min(28, Math.max(14, Math.floor(width * 0.25)));
  const mainWidth = Math.max(20, width - sideWidth - 1);
  const count = view === "projects" ? envs.length : view === "logs" ? logLines.length : model.table.rows.length;
  const cursor = view === "logs" ? state.cursor.logs : Math.min(state.cursor[view] ?? 0, Math.max(0, count - 1));
  const row = view === "projects" ? null : ((model.table.rows[cursor ?? 0] as Record<string, unknown> | undefined) ?? null);
  const envName = state.env ? `${state.env.project}/${state.env.env}` : "no environment";

  // Keys typed faster than a frame arrive as one chunk: each is handled against the state the
  // previous one left, so "/web" or ":logs⏎" work like the same keys typed slowly.
  const latest = useRef(state);
  latest.current = state;
  const step = (msg: Msg) => {
    latest.current = reduce(latest.current, msg);
    dispatch(msg);
  };
  useInput(
    (chunk, flags) =>
      splitChunk(chunk, flags).forEach(([input, key]) => handleKey(input, key, {
        state: latest.current, view: currentView(latest.current), role, count, page: Math.max(1, bodyHeight - 3), dispatch: step, exit,
        enter: () => {
          if (view === "projects" && picked) dispatch({ type: "push", view: "blocks" });
          else if (view === "blocks" && row) dispatch({ type: "push", view: "logs", block: row.name as string });
          else if (view === "jobs" || view === "builds" || view === "releases") dispatch({ type: "push", view: "logs", block: view === "jobs" ? (row?.name as string) : null });
        },
        run: (action) =>
          actions(action, {
            env: state.env,
            envs: allEnvs.filter((i) => i.project === state.env?.project).map((i) => i.env),
            row: view === "projects" ? null : row,
            releases: live.releases.data?.releases ?? [],
            stopped: live.status.data?.stopped ?? false,
            reload: () => (live.status.reload(), live.releases.reload(), model.reload()),
          }),
      })),
    { isActive: isRawModeSupported },
  );

  const title = {
    projects: `${envName}  ${live.status.data?.stopped ? "(stopped)" : live.status.data?.release ? `release #${live.status.data.release.number} ${live.status.data.release.status}` : ""}`,
    blocks: `BLOCKS ${envName}`,
    releases: `RELEASES ${envName}`,
    builds: `BUILDS ${state.env?.project ?? ""}`,
    jobs: `JOBS ${envName}`,
    logs: `LOGS ${envName}${state.block ? ` ${state.block}` : " (all blocks)"}`,
    vars: `VARS ${envName} ${model.block ?? ""}`,
    clients: `GATEWAY CLIENTS ${envName}`,
    certs: "CERTIFICATES",
    users: "USERS",
  }[view] + (state.filter[view] && view !== "projects" ? `  /${state.filter[view]}` : "");

  const main = state.prompt ? (
    <PromptBox prompt={state.prompt} width={mainWidth} height={bodyHeight} />
  ) : state.help ? (
    <Help role={role} width={mainWidth} height={bodyHeight} />
  ) : view === "logs" ? (
    <LogsView lines={logLines} cursor={cursor} paused={state.logsPaused} wrap={state.wrap} width={mainWidth} height={bodyHeight} title={title} error={logs.error} />
  ) : (
    <Table model={model.table} cursor={view === "projects" ? -1 : (cursor ?? 0)} focused={view !== "projects"} width={mainWidth} height={bodyHeight} title={title} theme={theme} />
  );

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Header machine={machine} user={(me as { user?: string }).user ?? me.name} role={role} url={url} width={width} theme={theme} />
      <Box height={bodyHeight}>
        <Sidebar items={envs} cursor={state.env ? envs.findIndex((i) => i.project === state.env!.project && i.env === state.env!.env) : -1} focused={view === "projects"} width={sideWidth} height={bodyHeight} filter={view === "projects" ? state.filter.projects : undefined} />
        <Box marginLeft={1}>{main}</Box>
      </Box>
      <Footer keys={footerKeys(view, role)} input={state.input} flash={state.flash} progress={live.progress} width={width} theme={theme} />
    </Box>
  );
}
