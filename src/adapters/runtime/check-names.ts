import { invalid } from "../../core/errors.ts";
import { DNS_LABEL } from "../../core/names.ts";

/** Project and environment names become container, network and namespace names: both runtimes refuse one that is not a DNS label before touching anything. */
export function checkNames(project: string, environment: string): void {
  if (!DNS_LABEL.test(project)) throw invalid(`project name ${JSON.stringify(project)} is not a DNS label`);
  if (!DNS_LABEL.test(environment)) throw invalid(`environment name ${JSON.stringify(environment)} is not a DNS label`);
}
