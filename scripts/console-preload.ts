// bun test preload: src/api/console.ts embeds the bundled console, so it must exist (and be
// current) before any test imports the API.
import { ensureConsoleBundle } from "./bundle-console.ts";

await ensureConsoleBundle();
