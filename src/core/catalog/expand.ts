import { invalid } from "../errors.ts";
import type { BlockSpec } from "../project-file/schema.ts";
import { type CatalogImages, compareVersions, imageFor, majorOf, templateNamed } from "./catalog.ts";

/** The data volume's size hint when berth.yaml names none for the template's data path. */
const DEFAULT_DATA_SIZE = "1Gi";

/**
 * A templated service as it runs: the template's image (or its mirror), port, data volume and
 * command, under what berth.yaml sets itself. Other blocks come back as they are.
 */
export function withTemplate(spec: BlockSpec, mirrors: CatalogImages = {}): BlockSpec {
  const template = templateNamed(spec.template);
  if (!template) return spec;
  const version = spec.version ?? template.versions.default;
  return {
    ...spec,
    version,
    image: imageFor(template, version, mirrors),
    port: spec.port ?? template.port,
    volumes: { [template.dataPath]: DEFAULT_DATA_SIZE, ...spec.volumes },
    ...((spec.command ?? template.command) && { command: spec.command ?? template.command }),
    ...((spec.health ?? template.health) && { health: spec.health ?? template.health }),
  };
}

/**
 * A service's data was written by the version the live release runs: an older version may not
 * read it (refused), and a new major version may need an upgrade step (only with allowMajor).
 * Changing the template keeps the old data volume (it is never removed), and is refused too.
 */
export function checkVersionChange(block: string, live: BlockSpec | undefined, next: BlockSpec, allowMajor: boolean): void {
  if (!live?.template || !next.template || !live.version || !next.version) return;
  if (live.template !== next.template) {
    throw invalid(`${block}: the live release runs ${live.template} and this one ${next.template}: a template change would start on an empty data volume; use a new block name (the old volume stays until the environment is purged)`);
  }
  const order = compareVersions(next.version, live.version);
  if (order < 0) throw invalid(`${block}: ${next.template} ${next.version} is older than the live ${live.version}: a downgrade cannot read the data; restore a backup into a new block instead`);
  if (majorOf(next.version) !== majorOf(live.version) && !allowMajor) {
    throw invalid(`${block}: ${next.template} ${live.version} → ${next.version} is a major upgrade (the data may need migrating): back up first, then deploy with --allow-major`);
  }
}
