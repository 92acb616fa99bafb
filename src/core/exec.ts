import type { ProjectStore } from "../ports/project-store.ts";
import type { ExecRequest, ExecSession, Runtime } from "../ports/runtime.ts";
import { invalid, notFound } from "./errors.ts";

export type ExecStart = Omit<ExecRequest, "command"> & { command: string[] };

/** `berth exec`: a command or a shell in a running replica, checked against the project first. */
export function createExec(deps: { projects: ProjectStore; runtime: Pick<Runtime, "exec"> }) {
  /** Throws before anything is opened, so a bad request is an ordinary API error, not a broken socket. */
  function check(request: ExecStart): ExecRequest {
    const file = deps.projects.loadProject(request.project);
    if (!file) throw notFound(`project "${request.project}"`);
    if (!file.environments[request.environment]) throw notFound(`environment "${request.environment}" in project "${request.project}"`);
    const block = file.blocks[request.block];
    if (!block) throw notFound(`block "${request.block}" in project "${request.project}"`);
    if (block.kind === "job") throw invalid(`${request.block} is a job: it has no running replica to exec in`);
    if (request.command.some((arg) => arg.includes("\0"))) throw invalid("the command must not contain NUL bytes");
    // A shell by default, as `docker exec -it … sh` and `heroku run bash` open one.
    return { ...request, command: request.command.length ? request.command : ["sh"] };
  }
  return {
    check,
    start: (request: ExecRequest): Promise<ExecSession> => deps.runtime.exec(request),
  };
}

export type Exec = ReturnType<typeof createExec>;
