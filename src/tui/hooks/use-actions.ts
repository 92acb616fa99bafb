import type { Dispatch } from "react";
import type { Env, TuiApi } from "../api.ts";
import type { Action } from "../keys.ts";
import type { Msg, Prompt } from "../state.ts";
import { oneLine } from "../errors.ts";
import { diffLines } from "../tables.ts";

export interface ActionContext {
  env: Env | null;
  /** Every environment of the env's project, for promote's targets. */
  envs: string[];
  /** The selected row of the current view, as its table has it. */
  row: Record<string, unknown> | null;
  releases: { number: number; live: boolean; status: string; createdAt: string }[];
  stopped: boolean;
  /** Loads the views again after a change. */
  reload: () => void;
}

/**
 * The actions keys start: each goes confirm → busy → result line, and an API error is one
 * flash line (the app keeps running). Lookups a confirm needs (a diff) happen before it.
 */
export function createActions(api: TuiApi, dispatch: Dispatch<Msg>) {
  const flash = (kind: "info" | "busy" | "error", text: string) => dispatch({ type: "flash", flash: { kind, text } });
  const ask = (prompt: Omit<Prompt, "cursor" | "choose">, choose: (index: number) => void) =>
    dispatch({ type: "prompt", prompt: { ...prompt, cursor: 0, choose: (i) => (dispatch({ type: "prompt", prompt: null }), choose(i)) } });
  const attempt = async (busy: string, work: () => Promise<string>, after?: () => void) => {
    flash("busy", busy);
    try {
      flash("info", await work());
      after?.();
    } catch (error) {
      flash("error", oneLine(error));
    }
  };
  const confirm = (title: string, lines: string[], busy: string, work: () => Promise<string>, after?: () => void) =>
    ask({ title, lines }, () => void attempt(busy, work, after));

  return async function run(action: Action, ctx: ActionContext) {
    const e = ctx.env;
    const where = e ? `${e.project}/${e.env}` : "";
    const needEnv = () => (e ? true : (flash("error", "pick an environment first"), false));
    try {
      switch (action) {
        case "deploy": {
          if (!needEnv()) return;
          flash("busy", `comparing ${where} with the next deploy…`);
          const diff = await api.diff(e!);
          dispatch({ type: "flash", flash: null });
          return confirm(`Deploy ${where}?`, diffLines(diff), `deploying ${where}…`, async () => `release #${(await api.deploy(e!)).number} of ${where} started`, ctx.reload);
        }
        case "promote": {
          if (!needEnv()) return;
          const targets = ctx.envs.filter((name) => name !== e!.env);
          if (targets.length === 0) return flash("error", `${e!.project} has no other environment to promote to`);
          return ask({ title: `Promote ${where}'s live release to…`, lines: [], options: targets }, async (i) => {
            const target = { project: e!.project, env: targets[i]! };
            flash("busy", `comparing ${target.project}/${target.env} with ${where}…`);
            try {
              const preview = await api.promote(target, e!.env, true);
              dispatch({ type: "flash", flash: null });
              confirm(`Promote ${where} → ${target.env}?`, diffLines(preview.diff), `promoting to ${target.env}…`, async () => {
                const result = await api.promote(target, e!.env, false);
                return result.release ? `release #${result.release.number} of ${target.project}/${target.env} started` : `nothing to promote to ${target.env}`;
              }, ctx.reload);
            } catch (error) {
              flash("error", oneLine(error));
            }
          });
        }
        case "rollback": {
          if (!needEnv()) return;
          const selected = typeof ctx.row?.number === "number" && !ctx.row.live ? (ctx.row.number as number) : null;
          const doRollback = (to: number) =>
            confirm(`Roll ${where} back to release #${to}?`, ["a new release with its images and today's variables"], `rolling back to #${to}…`, async () => `release #${(await api.rollback(e!, to)).number} (images of #${to}) started`, ctx.reload);
          if (selected) return doRollback(selected);
          const earlier = ctx.releases.filter((r) => !r.live && r.status === "deployed");
          if (earlier.length === 0) return flash("error", `${where} has no earlier deployed release to roll back to`);
          return ask({ title: `Roll ${where} back to…`, lines: [], options: earlier.map((r) => `#${r.number}  ${r.createdAt.slice(0, 16).replace("T", " ")}`) }, (i) => doRollback(earlier[i]!.number));
        }
        case "stopStart":
          if (!needEnv()) return;
          return ctx.stopped
            ? confirm(`Start ${where}?`, ["its live release's images come back up (no build)"], `starting ${where}…`, async () => `release #${(await api.start(e!)).number} of ${where} started`, ctx.reload)
            : confirm(`Stop ${where}?`, ["containers are removed; volumes and releases are kept; the edge answers 503"], `stopping ${where}…`, async () => (await api.stop(e!), `${where} stopped`), ctx.reload);
        case "restart": {
          if (!needEnv()) return;
          const block = ctx.row?.name as string | undefined;
          if (!block) return flash("error", "no block selected");
          return confirm(`Restart ${block} in ${where}?`, ["a rolling restart with the live release's image"], `restarting ${block}…`, async () => `release #${(await api.restart(e!, block)).number} restarts ${block}`, ctx.reload);
        }
        case "runJob": {
          if (!needEnv()) return;
          const job = ctx.row?.name as string | undefined;
          if (!job) return flash("error", "no job selected");
          return confirm(`Run ${job} in ${where} now?`, [], `starting ${job}…`, async () => `run #${(await api.runJob(e!, job)).id} of ${job} queued`, ctx.reload);
        }
        case "cancelBuild": {
          const id = ctx.row?.id as number | undefined;
          if (typeof id !== "number") return flash("error", "no build selected");
          return confirm(`Cancel build #${id}?`, [], `cancelling #${id}…`, async () => (await api.cancelBuild(id), `build #${id} cancelled`), ctx.reload);
        }
      }
    } catch (error) {
      flash("error", oneLine(error));
    }
  };
}
