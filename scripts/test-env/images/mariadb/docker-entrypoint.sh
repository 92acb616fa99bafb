#!/bin/sh
# The official mariadb image's first-run contract, in short: an empty /var/lib/mysql gets a root
# password (MARIADB_ROOT_PASSWORD), a database (MARIADB_DATABASE) and a user (MARIADB_USER /
# MARIADB_PASSWORD) with every right on it.
set -eu
if [ "${1:-}" != mariadbd ]; then exec "$@"; fi
shift
datadir=/var/lib/mysql
mkdir -p "$datadir" /run/mysqld
chown mysql:mysql "$datadir" /run/mysqld
if [ ! -d "$datadir/mysql" ]; then
  if [ -z "${MARIADB_ROOT_PASSWORD:-}" ]; then
    echo "error: database is uninitialized and MARIADB_ROOT_PASSWORD is not set" >&2
    exit 1
  fi
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal >/dev/null
  mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket=/run/mysqld/init.sock &
  pid=$!
  for _ in $(seq 1 60); do mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1 && break; sleep 0.5; done
  quote() { printf '%s' "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g"; }
  {
    printf "ALTER USER 'root'@'localhost' IDENTIFIED BY '%s';\n" "$(quote "$MARIADB_ROOT_PASSWORD")"
    printf "CREATE USER 'root'@'%%' IDENTIFIED BY '%s'; GRANT ALL ON *.* TO 'root'@'%%' WITH GRANT OPTION;\n" "$(quote "$MARIADB_ROOT_PASSWORD")"
    if [ -n "${MARIADB_DATABASE:-}" ]; then printf 'CREATE DATABASE IF NOT EXISTS `%s`;\n' "$MARIADB_DATABASE"; fi
    if [ -n "${MARIADB_USER:-}" ]; then
      printf "CREATE USER '%s'@'%%' IDENTIFIED BY '%s';\n" "$(quote "$MARIADB_USER")" "$(quote "${MARIADB_PASSWORD:-}")"
      if [ -n "${MARIADB_DATABASE:-}" ]; then printf "GRANT ALL ON \`%s\`.* TO '%s'@'%%';\n" "$MARIADB_DATABASE" "$(quote "$MARIADB_USER")"; fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket=/run/mysqld/init.sock -uroot
  kill "$pid"
  wait "$pid" || true
  echo "initialised $datadir"
fi
exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 "$@"
