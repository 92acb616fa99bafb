import pkg from "../package.json" with { type: "json" };

// Set by scripts/build.ts (`define`) in a compiled binary; absent when run from source.
declare const BERTH_COMMIT: string | undefined;
declare const BERTH_BUILD_VERSION: string | undefined;

export const VERSION: string = typeof BERTH_BUILD_VERSION === "string" ? BERTH_BUILD_VERSION : pkg.version;
/** The commit a binary was built from, "dev" when running from a source checkout. */
export const COMMIT: string = typeof BERTH_COMMIT === "string" ? BERTH_COMMIT : "dev";
