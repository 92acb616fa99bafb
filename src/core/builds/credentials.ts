import type { CredentialStore } from "../../ports/credential-store.ts";
import type { GitCredentials } from "../../ports/git-source.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import type { SecretBox } from "../../ports/secret-box.ts";
import { BerthError, notFound } from "../errors.ts";

export interface GitCredentialsReader {
  read(project: string, block: string): GitCredentials | undefined;
}

/** Deploy keys and HTTPS tokens per block: generated or set here, stored sealed, never returned. */
export function createGitCredentials(deps: {
  projects: ProjectStore;
  store: CredentialStore;
  box: SecretBox;
  generateKey: () => Promise<{ privateKey: string; publicKey: string }>;
}) {
  const check = (project: string, block: string) => {
    const file = deps.projects.loadProject(project);
    if (!file) throw notFound(`project "${project}"`);
    if (!file.blocks[block]) throw notFound(`block "${block}" in project "${project}"`);
    return { project, block };
  };

  return {
    /** The block's deploy key's public half; reading never creates one (a viewer may read). */
    deployKey(project: string, block: string): string {
      const existing = deps.store.getCredentials(check(project, block));
      if (!existing?.sshPublicKey) throw new BerthError("not_found", `block "${block}" of project "${project}" has no deploy key yet: create one with \`berth block key ${project} ${block}\``);
      return existing.sshPublicKey;
    },

    /** Generates the block's deploy key pair, unless it has one and `rotate` is false; returns the public half. */
    async createDeployKey(project: string, block: string, rotate = false): Promise<string> {
      const ref = check(project, block);
      const existing = deps.store.getCredentials(ref);
      if (existing?.sshPublicKey && !rotate) return existing.sshPublicKey;
      const { privateKey, publicKey } = await deps.generateKey();
      deps.store.setCredentials(ref, { sshPrivateKey: deps.box.seal(privateKey), sshPublicKey: publicKey });
      return publicKey;
    },

    setHttpsToken(project: string, block: string, token: string | null) {
      deps.store.setCredentials(check(project, block), { httpsToken: token === null ? null : deps.box.seal(token) });
    },

    read(project: string, block: string): GitCredentials | undefined {
      const sealed = deps.store.getCredentials({ project, block });
      if (!sealed) return undefined;
      return {
        ...(sealed.sshPrivateKey && { sshPrivateKey: deps.box.open(sealed.sshPrivateKey) }),
        ...(sealed.httpsToken && { httpsToken: deps.box.open(sealed.httpsToken) }),
      };
    },
  };
}

export type GitCredentialService = ReturnType<typeof createGitCredentials>;
