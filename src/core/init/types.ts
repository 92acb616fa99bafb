/** What `berth init` found out about the folder's git checkout. */
export interface GitFacts {
  /** The folder is inside a git work tree. */
  checkout: boolean;
  /** `git remote get-url origin`, when there is one. */
  origin?: string;
  /** The current branch; absent on a detached HEAD. */
  branch?: string;
  /** The folder relative to the work tree's top (`git rev-parse --show-prefix`), "" at the top. */
  prefix?: string;
  /** The work tree's absolute path, for a checkout without an origin. */
  topLevel?: string;
}

/** Everything detection reads: the folder's name, the contents of the files it knows, and git facts. */
export interface InitInput {
  /** The folder's base name, for the project name. */
  dirName: string;
  /** `--name`, when given. */
  name?: string;
  /** Contents of the known files that exist (binary lockfiles as ""), keyed by file name. */
  files: Record<string, string>;
  /** Names at the top of the folder, to tell e.g. app.py from main.py. */
  entries: string[];
  /** Known files that exist but were larger than the cap, so their contents were not read. */
  oversized?: string[];
  git: GitFacts;
}

/** One choice `berth init` made and why; `todo` when the user has to fill something in. */
export interface Decision {
  subject: string;
  choice: string;
  why: string;
  todo?: boolean;
}

export interface InitResult {
  project: string;
  yaml: string;
  decisions: Decision[];
}

export class Decisions {
  readonly list: Decision[] = [];
  add(subject: string, choice: string, why: string) {
    this.list.push({ subject, choice, why });
  }
  todo(subject: string, choice: string, why: string) {
    this.list.push({ subject, choice, why, todo: true });
  }
}
