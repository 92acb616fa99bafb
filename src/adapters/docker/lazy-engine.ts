import type Docker from "dockerode";
import { overFetch } from "./fetch-modem.ts";

/**
 * The engine client, loaded on first use. dockerode pulls in ssh2, gRPC and protobuf; a
 * control plane that only answers API calls (and every CLI command) should not carry them.
 */
export function lazyEngine(): Docker {
  let engine: Docker | undefined;
  const real = () => {
    if (!engine) {
      const Dockerode = require("dockerode") as typeof Docker;
      // Requests that answer once go through fetch (fetch-modem.ts): far less native memory each.
      engine = new Dockerode(overFetch());
    }
    return engine;
  };
  return new Proxy({} as Docker, {
    get(_, property) {
      const value = Reflect.get(real(), property);
      return typeof value === "function" ? value.bind(real()) : value;
    },
  });
}
