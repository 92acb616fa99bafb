/** A variable set for one block in one environment; `value` is sealed when `secret`. */
export interface StoredVariable {
  name: string;
  value: string;
  secret: boolean;
  updatedAt: string;
}

export interface VariableRef {
  project: string;
  environment: string;
  block: string;
}

export interface VariableStore {
  listVariables(ref: VariableRef): StoredVariable[];
  /** Every block's variables in one environment at once, by block name (blocks with none are absent). */
  listEnvironmentVariables(project: string, environment: string): Map<string, StoredVariable[]>;
  setVariables(ref: VariableRef, vars: { name: string; value: string; secret: boolean }[]): void;
  unsetVariables(ref: VariableRef, names: string[]): number;
  /** Copies every variable of one environment to another of the same project (clone). */
  copyVariables(project: string, from: string, to: string): void;
}
