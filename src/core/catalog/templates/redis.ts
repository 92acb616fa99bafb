import type { Template } from "../template-schema.ts";

export const redis: Template = {
  name: "redis",
  title: "Redis",
  image: "redis:{version}",
  versions: { default: "7.2", supported: ["6.2", "7.0", "7.2", "7.4"] },
  port: 6379,
  dataPath: "/data",
  // The image reads no password variable: it goes in as an option, through its own entrypoint.
  // DEBUG RELOAD (the restore) is allowed over local connections only: `docker exec`, never the network.
  command: ["sh", "-c", 'exec docker-entrypoint.sh redis-server --appendonly yes --enable-debug-command local --requirepass "$REDIS_PASSWORD"'],
  env: {},
  credentials: ["REDIS_PASSWORD"],
  password: "REDIS_PASSWORD",
  exports: {
    host: "{host}",
    port: "{port}",
    password: "{REDIS_PASSWORD}",
    url: "redis://:{REDIS_PASSWORD|uri}@{host}:{port}/0",
  },
  // A file of its own per dump (two at once must not share one), removed however the dump ends.
  dump: ["sh", "-c", 'f=$(mktemp) || exit 1; trap \'rm -f "$f"\' EXIT; REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli --rdb "$f" >/dev/null && cat "$f"'],
  // The snapshot replaces dump.rdb, is loaded in place of the data, and the append-only file is rewritten from it.
  restore: ["sh", "-c", 'cat >/data/dump.rdb.new && mv /data/dump.rdb.new /data/dump.rdb && export REDISCLI_AUTH="$REDIS_PASSWORD" && redis-cli DEBUG RELOAD NOSAVE && redis-cli BGREWRITEAOF'],
  dumpFormat: "rdb",
  notes: "A dump is an RDB snapshot; a restore loads it in place of the data (DEBUG RELOAD) and rewrites the append-only file from it.",
};
