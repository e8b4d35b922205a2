#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests and print its URL on stdout (one line).
#   DETENTE_TEST_PG_URL=$(scripts/start_test_pg.sh)      # start
#   scripts/start_test_pg.sh stop                        # stop and delete the data directory
# PostgreSQL refuses to run as root, so the server runs as the `postgres` user (when root) on a
# fresh data directory, 127.0.0.1 only, port ${DETENTE_TEST_PG_PORT:-55432}, fsync off.
set -euo pipefail
PORT="${DETENTE_TEST_PG_PORT:-55432}"
DIR="${DETENTE_TEST_PG_DIR:-/tmp/detente-test-pg-$PORT}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "start_test_pg: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "${1:-start}" = "stop" ]; then
  if [ -d "$DIR/data" ]; then as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true; fi
  rm -rf "$DIR"
  exit 0
fi
if [ -d "$DIR/data" ]; then
  as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
fi
mkdir -p "$DIR/data" "$DIR/sock"
if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$DIR"; fi
as_pg "$BIN/initdb" -A trust -U detente -D "$DIR/data" >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" \
  -o "-k $DIR/sock -c listen_addresses=127.0.0.1 -p $PORT -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  -w start >&2 || { cat "$DIR/server.log" >&2; exit 1; }
as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U detente detente_test >&2
echo "postgresql+psycopg://detente@127.0.0.1:$PORT/detente_test"
