import { allTemplates } from "./catalog.ts";

/** `berth catalog`: what each template runs and gives other blocks. */
export const catalogListing = () =>
  allTemplates().map((t) => ({
    name: t.name,
    title: t.title,
    image: t.image,
    defaultVersion: t.versions.default,
    versions: t.versions.supported,
    port: t.port,
    dataPath: t.dataPath,
    exports: Object.keys(t.exports),
    credentials: t.credentials,
    backups: Boolean(t.dump),
    notes: t.notes ?? null,
  }));
