import { join } from "node:path";

/** Where the edge process leaves its pid and log, beside the state it reads. */
export const edgeFiles = (dataDir: string) => ({ pid: join(dataDir, "edge.pid"), log: join(dataDir, "logs", "edge.log"), access: join(dataDir, "logs", "access") });
