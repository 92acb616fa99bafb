import type { Template } from "../template-schema.ts";

export const postgres: Template = {
  name: "postgres",
  title: "PostgreSQL",
  image: "postgres:{version}",
  versions: { default: "16", supported: ["13", "14", "15", "16", "17"] },
  port: 5432,
  dataPath: "/var/lib/postgresql/data",
  env: { POSTGRES_USER: "app", POSTGRES_DB: "app" },
  credentials: ["POSTGRES_PASSWORD"],
  password: "POSTGRES_PASSWORD",
  // The statement goes on stdin through the shell's own printf: no process's arguments (ps) show the password.
  rotate: ["sh", "-c", 'read -r p && printf "ALTER ROLE CURRENT_USER PASSWORD \'%s\';\\n" "$p" | psql -v ON_ERROR_STOP=1 -q -U "$POSTGRES_USER" -d "$POSTGRES_DB"'],
  exports: {
    host: "{host}",
    port: "{port}",
    user: "{POSTGRES_USER}",
    password: "{POSTGRES_PASSWORD}",
    database: "{POSTGRES_DB}",
    url: "postgresql://{POSTGRES_USER|uri}:{POSTGRES_PASSWORD|uri}@{host}:{port}/{POSTGRES_DB|uri}",
  },
  // Over the local socket, which the image trusts: no password on the command line.
  dump: ["sh", "-c", 'exec pg_dump --clean --if-exists --no-owner -U "$POSTGRES_USER" -d "$POSTGRES_DB"'],
  restore: ["sh", "-c", 'exec psql -v ON_ERROR_STOP=1 -q -U "$POSTGRES_USER" -d "$POSTGRES_DB"'],
  dumpFormat: "sql",
  notes: "A dump is plain SQL of the database (pg_dump --clean): a restore drops and recreates its tables.",
};
