export { detectProject, INIT_FILES, MAX_INIT_FILE_BYTES, PRESENCE_ONLY, toLabel } from "./detect.ts";
export type { Decision, GitFacts, InitInput, InitResult } from "./types.ts";
