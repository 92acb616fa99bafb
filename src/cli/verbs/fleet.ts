import { unwrap } from "../../client/index.ts";
import { UsageError, type Verb } from "../verb.ts";

export const fleetVerbs: Verb[] = [
  {
    name: "fleet render",
    summary: "Print the Kubernetes objects a release would become in fleet mode (k3s), secret values masked",
    args: "PROJECT ENV",
    options: { release: { type: "string" } },
    optionHelp: ["--release N   release N instead of the live one"],
    async run({ args, values, client, out }) {
      const text = values.release as string | undefined;
      if (text !== undefined && (!/^\d+$/.test(text) || Number(text) < 1)) throw new UsageError(`--release: expected a whole number from 1, got ${text}`);
      const route = (await client()).projects[":project"].environments[":env"].fleet.manifests;
      const { manifests } = await unwrap(route.$get({ param: { project: args[0]!, env: args[1]! }, query: text === undefined ? {} : { release: text } }));
      out(manifests.trimEnd());
    },
  },
];
