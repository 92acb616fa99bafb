import type { VariableRef } from "./variable-store.ts";

export type BlockRef = Omit<VariableRef, "environment">;

/** Sealed git credentials per block (values are SecretBox output, never clear text). */
export interface SealedCredentials {
  sshPrivateKey: string | null;
  sshPublicKey: string | null;
  httpsToken: string | null;
}

export interface CredentialStore {
  getCredentials(block: BlockRef): SealedCredentials | null;
  setCredentials(block: BlockRef, update: Partial<SealedCredentials>): void;
}
