#!/bin/sh
# As the official redis image: options alone run redis-server with them; redis-server runs as the
# redis user in /data, listening on every interface (protected mode off: the network is private).
set -eu
case "${1:-redis-server}" in -*) set -- redis-server "$@" ;; esac
if [ $# -eq 0 ]; then set -- redis-server; fi
if [ "$1" = redis-server ]; then
  shift
  chown -R redis:redis /data
  exec setpriv --reuid=redis --regid=redis --init-groups redis-server --bind 0.0.0.0 --protected-mode no --dir /data "$@"
fi
exec "$@"
