#!/bin/sh
# Action server: apply the Alembic migrations to DATABASE_URL, then serve bot.actions in
# the foreground (exec, logs on stdout/stderr). The image runs it (Dockerfile.actions) and
# so do scripts/run.sh and scripts/test.sh from a checkout:
#   JIERU_BIN=.venv/actions/bin PORT=5155 docker/entrypoint-actions.sh
#
#   JIERU_BIN     folder holding the jieru and python executables (default: found on PATH)
#   PORT          port to listen on (default 5055)
#   DATABASE_URL  SQLAlchemy URL (default: SQLite file var/jieru.db in the project)
#   JIERU_KB_DIR  knowledge base folder (default: kb/ in the project)
# Any arguments are passed on to rasa_sdk, e.g. --cors "*" or --logging-config-file FILE.
set -eu

# Resolve JIERU_BIN against the caller's folder before moving to the project.
if [ -n "${JIERU_BIN:-}" ]; then
  JIERU_BIN="$(cd "$JIERU_BIN" && pwd)/"
fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# bot.actions is imported from the project folder.
cd "$ROOT"

: "${PORT:=5055}"
: "${JIERU_KB_DIR:=$ROOT/kb}"
if [ -z "${DATABASE_URL:-}" ]; then
  mkdir -p "$ROOT/var"
  DATABASE_URL="sqlite:///$ROOT/var/jieru.db"
fi
export DATABASE_URL JIERU_KB_DIR

echo "entrypoint-actions: applying database migrations" >&2
"${JIERU_BIN:-}jieru" db upgrade
echo "entrypoint-actions: starting the action server on port $PORT" >&2
exec "${JIERU_BIN:-}python" -m rasa_sdk --actions bot.actions --port "$PORT" "$@"
