import type { Template } from "../template-schema.ts";

export const mariadb: Template = {
  name: "mariadb",
  title: "MariaDB",
  image: "mariadb:{version}",
  versions: { default: "11.4", supported: ["10.6", "10.11", "11.4"] },
  port: 3306,
  dataPath: "/var/lib/mysql",
  env: { MARIADB_USER: "app", MARIADB_DATABASE: "app" },
  credentials: ["MARIADB_PASSWORD", "MARIADB_ROOT_PASSWORD"],
  password: "MARIADB_PASSWORD",
  // The statement goes on stdin through the shell's own printf: no process's arguments (ps) show the password.
  rotate: ["sh", "-c", 'read -r p && printf "ALTER USER \'%s\'@\'%%\' IDENTIFIED BY \'%s\';\\n" "$MARIADB_USER" "$p" | MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot'],
  exports: {
    host: "{host}",
    port: "{port}",
    user: "{MARIADB_USER}",
    password: "{MARIADB_PASSWORD}",
    database: "{MARIADB_DATABASE}",
    url: "mysql://{MARIADB_USER|uri}:{MARIADB_PASSWORD|uri}@{host}:{port}/{MARIADB_DATABASE|uri}",
  },
  dump: ["sh", "-c", 'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" exec mariadb-dump -uroot --single-transaction --routines --databases "$MARIADB_DATABASE"'],
  restore: ["sh", "-c", 'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" exec mariadb -uroot'],
  dumpFormat: "sql",
  notes: "A dump is SQL of the database (mariadb-dump --databases): a restore recreates its tables.",
};
