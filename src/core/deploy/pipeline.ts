import type { ProjectFile } from "../project-file/schema.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import type { RecordedVariable, ReleaseBlock, ReleaseOrigin, ReleaseRecord, ReleaseStore } from "../../ports/release-store.ts";
import type { Builds } from "../builds/builds.ts";
import { BerthError, notFound } from "../errors.ts";
import type { CatalogImages } from "../catalog/catalog.ts";
import { withTemplate } from "../catalog/expand.ts";
import { resolveBlock } from "../project-file/resolve.ts";
import type { Variables } from "../variables.ts";
import { type BlockSide, type Diff, diffBlocks } from "./diff.ts";

/** The image a block of a new release runs, and (rollback --with-config-of) the variables it runs with. */
export interface ImageChoice {
  image: string;
  imageId: string;
  commit: string | null;
  vars?: Record<string, RecordedVariable>;
  fingerprint?: string;
}

export interface PipelineDeps {
  projects: ProjectStore;
  releases: ReleaseStore;
  builds: Pick<Builds, "headCommit" | "subjects">;
  variables: Variables;
  images: { findImage(reference: string): Promise<string | null> };
  loadEnvironment(project: string, environment: string): ProjectFile;
  checkIdle(project: string, environment: string): string;
  fromImages(project: string, environment: string, images: Map<string, ImageChoice>, origin: ReleaseOrigin, note: string, runJobs?: boolean): ReleaseRecord;
  catalogImages?: CatalogImages;
}

export interface PromoteRequest {
  /** Blocks to promote; the others keep the target's live images. Empty: every block. */
  blocks?: string[];
  dryRun?: boolean;
}

const choice = (b: ReleaseBlock): ImageChoice => ({ image: b.image, imageId: b.imageId, commit: b.commit });

/** Promote, rollback and the diffs that say what they (or a deploy) would change. */
export function createPipeline(deps: PipelineDeps) {
  const live = (project: string, environment: string) => deps.releases.currentRelease(project, environment);

  /** Each block as the live release runs it. */
  const liveSides = (release: ReleaseRecord | null): BlockSide[] =>
    (release?.blocks ?? []).map((b) => ({ name: b.name, imageId: b.imageId, commit: b.commit, spec: b.spec, vars: b.vars ?? null }));

  /** Each block as the environment's config today would run it, with the given images. */
  function nextSides(project: string, environment: string, images: (name: string, spec: ReturnType<typeof resolveBlock>) => Promise<Pick<BlockSide, "imageId" | "commit">>) {
    const file = deps.loadEnvironment(project, environment);
    const today = deps.variables.recordAll(project, environment, file);
    return Promise.all(
      Object.keys(file.blocks).map((name) => {
        const spec = withTemplate(resolveBlock(file, environment, name), deps.catalogImages);
        return images(name, spec).then((image) => ({ name, spec, ...image, vars: today.get(name)!.vars }));
      }),
    );
  }

  async function compare(project: string, environment: string, current: ReleaseRecord | null, next: BlockSide[], against: string): Promise<Diff> {
    const now = liveSides(current);
    const subjects = new Map<string, string[]>();
    for (const b of next) {
      const from = now.find((n) => n.name === b.name)?.commit;
      if (from && b.commit && from !== b.commit) subjects.set(b.name, await deps.builds.subjects(project, environment, b.name, from, b.commit));
    }
    const blocks = diffBlocks(now, next, (name) => subjects.get(name) ?? []);
    return { project, environment, against, live: current?.number ?? null, changes: blocks.some((b) => b.change !== "unchanged"), blocks };
  }

  /** FROM's live images for the named blocks (all when none is named), TO's live images for the rest. */
  function promotion(project: string, from: string, to: string, names: string[] = []) {
    deps.loadEnvironment(project, to);
    const file = deps.loadEnvironment(project, from);
    if (from === to) throw new BerthError("invalid", `cannot promote ${from} into itself`);
    const unknown = names.find((n) => !file.blocks[n]);
    if (unknown) throw notFound(`block "${unknown}" in project "${project}"`);
    const source = live(project, from);
    if (!source) throw new BerthError("invalid", `${project}/${from} has no live release to promote: deploy it first`);
    const target = live(project, to);
    const images = new Map<string, ImageChoice>();
    for (const b of target?.blocks ?? []) images.set(b.name, choice(b));
    for (const b of source.blocks) if (names.length === 0 || names.includes(b.name)) images.set(b.name, choice(b));
    const missing = names.find((n) => !source.blocks.some((b) => b.name === n));
    if (missing) throw new BerthError("invalid", `block "${missing}" is not in ${from}'s live release ${source.number}`);
    return { source, target, images };
  }

  return {
    /** What `deploy` would change: each git block's ref resolved now, image blocks by their id on the engine. */
    async diff(project: string, environment: string): Promise<Diff> {
      const current = live(project, environment);
      const next = await nextSides(project, environment, async (name, spec) => {
        if (spec.git) return { commit: await deps.builds.headCommit(project, environment, name), imageId: null };
        return { commit: null, imageId: await deps.images.findImage(spec.image!) };
      });
      // A rebuild of an unchanged commit is a cache hit: its image stays the one running.
      for (const side of next) {
        const running = current?.blocks.find((b) => b.name === side.name);
        if (side.imageId === null && running && running.commit === side.commit) side.imageId = running.imageId;
      }
      return compare(project, environment, current, next, "the next deploy");
    },

    /** TO gets FROM's live images (same ids) with its own config and variables; no build. `dryRun`: only the diff. */
    async promote(project: string, from: string, to: string, request: PromoteRequest, origin: ReleaseOrigin = {}): Promise<{ diff: Diff; release: ReleaseRecord | null }> {
      const { source, target, images } = promotion(project, from, to, request.blocks);
      const next = await nextSides(project, to, async (name) => {
        const chosen = images.get(name);
        return { imageId: chosen?.imageId ?? null, commit: chosen?.commit ?? null };
      });
      const diff = await compare(project, to, target, next, `${from}#${source.number}`);
      if (request.dryRun) return { diff, release: null };
      const named = request.blocks?.length ? request.blocks.join(", ") : "every block";
      const release = deps.fromImages(project, to, images, { ...origin, source: `promote from ${from}#${source.number}` }, `promoting ${named} from ${from} release ${source.number}: its images, no build`, true);
      return { diff, release };
    },

    /**
     * A new release with release N's images (default: the deployed release before the live one),
     * today's variables, or N's recorded ones with `withConfigOf`.
     */
    rollback(project: string, environment: string, request: { to?: number; withConfigOf?: number }, origin: ReleaseOrigin = {}): ReleaseRecord {
      deps.loadEnvironment(project, environment);
      const current = live(project, environment);
      if (!current) throw new BerthError("invalid", `${project}/${environment} has no live release to roll back`);
      const byNumber = (n: number) => deps.releases.releaseByNumber(project, environment, n);
      const number = request.to ?? deps.releases.deployedBefore(project, environment, current.number)?.number;
      if (number === undefined) throw new BerthError("invalid", `${project}/${environment} has no deployed release before release ${current.number}`);
      const wanted = byNumber(number);
      if (!wanted) throw notFound(`release ${number} of ${project}/${environment}`);
      if (wanted.status !== "deployed" || wanted.blocks.length === 0) throw new BerthError("invalid", `release ${number} of ${project}/${environment} never deployed (${wanted.status}); pick one that did`);
      const config = request.withConfigOf === undefined ? undefined : byNumber(request.withConfigOf);
      if (request.withConfigOf !== undefined && !config) throw notFound(`release ${request.withConfigOf} of ${project}/${environment}`);
      if (config && config.blocks.some((b) => !b.vars)) throw new BerthError("invalid", `release ${config.number} did not record its variables; roll back without --with-config-of`);
      const images = new Map<string, ImageChoice>(current.blocks.map((b) => [b.name, choice(b)]));
      for (const b of wanted.blocks) images.set(b.name, choice(b));
      for (const b of config?.blocks ?? []) {
        const image = images.get(b.name);
        if (image) images.set(b.name, { ...image, vars: b.vars, fingerprint: b.fingerprint });
      }
      const note = `rolling back to release ${number}'s images${config ? ` with release ${config.number}'s variables` : ""}, no build`;
      return deps.fromImages(project, environment, images, { ...origin, source: `rollback to #${number}` }, note);
    },
  };
}
