#!/bin/sh
# Web service: the widget's files, the demo page and evidence uploads (jieru.web), in
# the foreground (exec, logs on stdout/stderr). The image runs it (Dockerfile.web) and so
# do scripts/run.sh and scripts/test.sh from a checkout:
#   JIERU_BIN=.venv/actions/bin PORT=8105 docker/entrypoint-web.sh
#
#   JIERU_BIN               folder holding the python executable (default: found on PATH)
#   PORT                    port to listen on (default 8000; sets JIERU_WEB_PORT)
#   JIERU_WEB_HOST          address to listen on (default 0.0.0.0 here)
#   JIERU_RASA_SOCKET_URL   the Rasa server's address as browsers reach it (the widget connects there)
#   JIERU_RASA_URL          the Rasa server's HTTP API as this service reaches it (uploads, reminders)
#   JIERU_WEB_DEMO_BUYERS   demo buyers the demo page may log in as; unset: no demo login
#   JIERU_WIDGET_DIST       the built widget (default web/widget/dist in the project)
#   DATABASE_URL, JIERU_APP_JWT_SECRET, JIERU_EVIDENCE_DIR: as the action server
set -eu

if [ -n "${JIERU_BIN:-}" ]; then
  JIERU_BIN="$(cd "$JIERU_BIN" && pwd)/"
fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

: "${PORT:=8000}"
: "${JIERU_WEB_HOST:=0.0.0.0}"
: "${JIERU_KB_DIR:=$ROOT/kb}"
JIERU_WEB_PORT="$PORT"
if [ -z "${DATABASE_URL:-}" ]; then
  mkdir -p "$ROOT/var"
  DATABASE_URL="sqlite:///$ROOT/var/jieru.db"
fi
export DATABASE_URL JIERU_KB_DIR JIERU_WEB_HOST JIERU_WEB_PORT

if [ ! -f "${JIERU_WIDGET_DIST:-$ROOT/web/widget/dist}/jieru-widget.js" ]; then
  echo "entrypoint-web: the widget is not built (cd web/widget && npm ci && npm run build)" >&2
fi
echo "entrypoint-web: starting the web service on $JIERU_WEB_HOST:$PORT" >&2
exec "${JIERU_BIN:-}python" -m jieru.web "$@"
