import { createHash, randomBytes } from "node:crypto";
import type { ProjectStore } from "../ports/project-store.ts";
import type { AccessStore } from "../ports/release-store.ts";
import { invalid, notFound } from "./errors.ts";

export interface BlockInEnv {
  project: string;
  environment: string;
  block: string;
}

/** The secret's hash as the edge checks it: plain SHA-256 suffices for 256 random bits. */
export const hashClientSecret = (secret: string) => createHash("sha256").update(secret).digest("hex");

/** Website passwords (HTTP basic auth) and API gateway clients, per environment. */
export function createAccess(deps: { projects: ProjectStore; store: AccessStore; hashPassword: (password: string) => Promise<string> }) {
  const checkEnv = (project: string, environment: string) => {
    const file = deps.projects.loadProject(project);
    if (!file) throw notFound(`project "${project}"`);
    if (!file.environments[environment]) throw notFound(`environment "${environment}" in project "${project}"`);
    return file;
  };

  return {
    async setPassword(ref: BlockInEnv, username: string, password: string) {
      const block = checkEnv(ref.project, ref.environment).blocks[ref.block];
      if (!block) throw notFound(`block "${ref.block}" in project "${ref.project}"`);
      if (block.kind !== "website") throw invalid(`block "${ref.block}" is a ${block.kind}; passwords protect websites`);
      if (password.length < 8) throw invalid("the password must have at least 8 characters", [{ path: "password", message: "at least 8 characters" }]);
      deps.store.setBasicAuthUser(ref, username, await deps.hashPassword(password));
    },

    removePassword(ref: BlockInEnv, username: string) {
      checkEnv(ref.project, ref.environment);
      if (!deps.store.removeBasicAuthUser(ref, username)) throw notFound(`user "${username}" of ${ref.block}`);
    },

    passwordUsers(ref: BlockInEnv) {
      checkEnv(ref.project, ref.environment);
      return deps.store.listBasicAuthUsers(ref);
    },

    /** A gateway client: the secret is returned this once and only its hash is kept. */
    createClient(project: string, environment: string, name: string) {
      checkEnv(project, environment);
      const clientId = `gc_${randomBytes(8).toString("hex")}`;
      const clientSecret = randomBytes(32).toString("base64url");
      const record = deps.store.createGatewayClient({ clientId, project, environment, name, secretHash: hashClientSecret(clientSecret) });
      return { ...record, clientSecret };
    },

    listClients(project: string, environment: string) {
      checkEnv(project, environment);
      return deps.store.listGatewayClients(project, environment);
    },

    revokeClient(project: string, environment: string, clientId: string) {
      checkEnv(project, environment);
      if (!deps.store.deleteGatewayClient(project, environment, clientId)) throw notFound(`gateway client "${clientId}"`);
    },
  };
}

export type Access = ReturnType<typeof createAccess>;
