import { createHash, randomBytes } from "node:crypto";
import type { ProjectStore } from "../ports/project-store.ts";
import type { ProjectFile } from "./project-file/schema.ts";
import type { RecordedVariable } from "../ports/release-store.ts";
import type { SecretBox } from "../ports/secret-box.ts";
import type { StoredVariable, VariableRef, VariableStore } from "../ports/variable-store.ts";
import { invalid, notFound } from "./errors.ts";
import { ENV_NAME } from "./names.ts";
import { valueProblem } from "./variable-text.ts";
import { templateEnv, templateNamed } from "./catalog/catalog.ts";
import { resolveBlock } from "./project-file/resolve.ts";

const fingerprintOf = (fileEnv: Record<string, string>, set: StoredVariable[]) =>
  createHash("sha256")
    .update(JSON.stringify([fileEnv, set.map((v) => [v.name, v.secret ? `secret@${v.updatedAt}` : v.value])]))
    .digest("hex")
    .slice(0, 16);

const recordedOf = (fileEnv: Record<string, string>, set: StoredVariable[]): Record<string, RecordedVariable> => {
  const recorded: Record<string, RecordedVariable> = {};
  for (const [name, value] of Object.entries(fileEnv)) recorded[name] = { value, secret: false };
  for (const v of set) recorded[v.name] = { value: v.value, secret: v.secret };
  return recorded;
};

/** What is shown in place of a secret value: fixed, so not even its length leaks. */
export const MASK = "••••••••";

export interface VariableView {
  name: string;
  value: string;
  secret: boolean;
  /** "template": the catalog template's; "file": from berth.yaml `env`; "set": set with `berth vars set` (wins over both). */
  source: "template" | "file" | "set";
}

/** A generated credential: random and URL-safe, so it goes into connection URLs as it is. */
export const generateCredential = () => randomBytes(24).toString("base64url");

/** What a catalog template gives a block's environment before berth.yaml's `env`. */
function templateDefaults(file: ProjectFile, ref: VariableRef): Record<string, string> {
  const spec = resolveBlock(file, ref.environment, ref.block);
  const template = templateNamed(spec.template);
  return template ? templateEnv(template, ref.block, spec.port ?? template.port) : {};
}

export function createVariables(projects: ProjectStore, store: VariableStore, box: SecretBox) {
  /** `loaded`: the project file the caller read already (status asks for every block at once). */
  const fileEnv = (ref: VariableRef, loaded?: ProjectFile): Record<string, string> => {
    const file = loaded ?? projects.loadProject(ref.project);
    if (!file) throw notFound(`project "${ref.project}"`);
    const env = file.environments[ref.environment];
    if (!env) throw notFound(`environment "${ref.environment}" in project "${ref.project}"`);
    const block = file.blocks[ref.block];
    if (!block) throw notFound(`block "${ref.block}" in project "${ref.project}"`);
    return { ...templateDefaults(file, ref), ...block.env, ...env.blocks?.[ref.block]?.env };
  };

  return {
    list(ref: VariableRef): VariableView[] {
      const merged = new Map<string, VariableView>();
      const file = projects.loadProject(ref.project);
      const fromFile = fileEnv(ref, file ?? undefined);
      const fromTemplate = templateDefaults(file!, ref);
      for (const [name, value] of Object.entries(fromFile)) merged.set(name, { name, value, secret: false, source: fromTemplate[name] === value ? "template" : "file" });
      for (const v of store.listVariables(ref)) {
        merged.set(v.name, { name: v.name, value: v.secret ? MASK : v.value, secret: v.secret, source: "set" });
      }
      return [...merged.values()].sort((a, b) => a.name.localeCompare(b.name));
    },

    set(ref: VariableRef, values: Record<string, string>, secret: boolean) {
      fileEnv(ref);
      const bad = Object.keys(values).filter((name) => !ENV_NAME.test(name));
      if (bad.length > 0) {
        throw invalid(`bad variable name ${bad.map((n) => JSON.stringify(n)).join(", ")}`, bad.map((n) => ({ path: `vars.${n}`, message: "must be a variable name" })));
      }
      const badValues = Object.entries(values).flatMap(([name, value]) => {
        const problem = valueProblem(value);
        return problem ? [{ path: `vars.${name}`, message: problem }] : [];
      });
      if (badValues.length > 0) throw invalid(`variable ${badValues.map((i) => i.path.slice(5)).join(", ")} cannot be stored`, badValues);
      const rows = Object.entries(values).map(([name, value]) => ({ name, secret, value: secret ? box.seal(value) : value }));
      store.setVariables(ref, rows);
      return rows.map((r) => r.name);
    },

    /** One variable's clear value (`berth vars get --reveal`; the API lets only admins ask for secrets). */
    reveal(ref: VariableRef, name: string, reveal: boolean): VariableView {
      const view = this.list(ref).find((v) => v.name === name);
      if (!view) throw notFound(`variable ${name} of ${ref.block} in ${ref.project}/${ref.environment}`);
      if (!view.secret || !reveal) return view;
      const stored = store.listVariables(ref).find((v) => v.name === name)!;
      return { ...view, value: box.open(stored.value) };
    },

    /**
     * Generates the credentials a template names that the block has no variable for yet, as
     * secret variables; those set already (a first deploy earlier, or by hand) stay. Returns the new names.
     */
    ensureCredentials(ref: VariableRef, names: string[]): string[] {
      const have = new Set(store.listVariables(ref).map((v) => v.name));
      const missing = names.filter((name) => !have.has(name));
      if (missing.length > 0) store.setVariables(ref, missing.map((name) => ({ name, secret: true, value: box.seal(generateCredential()) })));
      return missing;
    },

    unset(ref: VariableRef, names: string[]) {
      fileEnv(ref);
      return store.unsetVariables(ref, names);
    },

    /**
     * Changes whenever any value does; secrets count by when they were set, never by value.
     * `file`: the project as the caller loaded it, so a loop over blocks reads it once.
     */
    fingerprint(ref: VariableRef, file?: ProjectFile): string {
      return fingerprintOf(fileEnv(ref, file), store.listVariables(ref));
    },

    /** `fingerprint` of every block of an environment, with two reads in all (status shows them all). */
    fingerprints(project: string, environment: string, file: ProjectFile): Map<string, string> {
      const set = store.listEnvironmentVariables(project, environment);
      return new Map(Object.keys(file.blocks).map((block) => [block, fingerprintOf(fileEnv({ project, environment, block }, file), set.get(block) ?? [])]));
    },

    /**
     * Every secret value set in an environment, any block: what logs and errors must never show.
     * One read for all blocks: a release asks twice, and per block a release of 100 blocks made
     * 200 queries and about 7 MB of garbage each time, at the moment it starts.
     */
    secretValues(project: string, environment: string): string[] {
      const values: string[] = [];
      for (const set of store.listEnvironmentVariables(project, environment).values()) {
        for (const v of set) if (v.secret) values.push(box.open(v.value));
      }
      return values;
    },

    /** The variables as a release records them: the file's env and set ones, secrets still sealed. */
    snapshot(ref: VariableRef): Record<string, RecordedVariable> {
      return recordedOf(fileEnv(ref), store.listVariables(ref));
    },

    /**
     * `snapshot` and `fingerprint` of every block of an environment, with one read of the
     * variables: a release records all its blocks at once, and per block a release of 100 blocks
     * read the project 200 times (seconds of a blocked event loop, and 70 MB of garbage at once).
     */
    recordAll(project: string, environment: string, file: ProjectFile): Map<string, { vars: Record<string, RecordedVariable>; fingerprint: string }> {
      const set = store.listEnvironmentVariables(project, environment);
      return new Map(
        Object.keys(file.blocks).map((block) => {
          const env = fileEnv({ project, environment, block }, file);
          const stored = set.get(block) ?? [];
          return [block, { vars: recordedOf(env, stored), fingerprint: fingerprintOf(env, stored) }];
        }),
      );
    },

    /** Clear values of recorded variables, for the containers of a release. */
    open(recorded: Record<string, RecordedVariable>): Record<string, string> {
      return Object.fromEntries(Object.entries(recorded).map(([name, v]) => [name, v.secret ? box.open(v.value) : v.value]));
    },

    /** Clear values for a deploy: the file's env, overlaid by set variables with secrets opened. */
    resolve(ref: VariableRef): Record<string, string> {
      const env = fileEnv(ref);
      for (const v of store.listVariables(ref)) env[v.name] = v.secret ? box.open(v.value) : v.value;
      return env;
    },
  };
}

export type Variables = ReturnType<typeof createVariables>;
