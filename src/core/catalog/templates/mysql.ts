import type { Template } from "../template-schema.ts";

export const mysql: Template = {
  name: "mysql",
  title: "MySQL",
  image: "mysql:{version}",
  versions: { default: "8.4", supported: ["8.0", "8.4"] },
  port: 3306,
  dataPath: "/var/lib/mysql",
  env: { MYSQL_USER: "app", MYSQL_DATABASE: "app" },
  credentials: ["MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD"],
  password: "MYSQL_PASSWORD",
  // The statement goes on stdin through the shell's own printf: no process's arguments (ps) show the password.
  rotate: ["sh", "-c", 'read -r p && printf "ALTER USER \'%s\'@\'%%\' IDENTIFIED BY \'%s\';\\n" "$MYSQL_USER" "$p" | MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -uroot'],
  exports: {
    host: "{host}",
    port: "{port}",
    user: "{MYSQL_USER}",
    password: "{MYSQL_PASSWORD}",
    database: "{MYSQL_DATABASE}",
    url: "mysql://{MYSQL_USER|uri}:{MYSQL_PASSWORD|uri}@{host}:{port}/{MYSQL_DATABASE|uri}",
  },
  // MYSQL_PWD keeps the password off the command line (and out of `ps`).
  dump: ["sh", "-c", 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysqldump -uroot --single-transaction --routines --databases "$MYSQL_DATABASE"'],
  restore: ["sh", "-c", 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysql -uroot'],
  dumpFormat: "sql",
  notes: "A dump is SQL of the database (mysqldump --databases): a restore recreates its tables.",
};
