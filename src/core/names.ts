import { z } from "zod";

/** DNS label rule shared by project, environment and block names: they become hostnames. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export const dnsLabel = (max: number) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    .regex(DNS_LABEL, "must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit");

export const projectName = dnsLabel(40);
export const environmentName = dnsLabel(20);
export const blockName = dnsLabel(40);

/** Environment variable names as POSIX shells accept them. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const envName = z.string().max(128).regex(ENV_NAME, "must be a variable name: letters, digits and '_', not starting with a digit");
