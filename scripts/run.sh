#!/usr/bin/env bash
# One command on a fresh machine: set up, migrate, load the demo orders, train if
# needed, start the action server, the Rasa server and the web service (the widget's
# demo page), and chat in this terminal.
# Ctrl-C stops everything it started.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

setup_envs
setup_widget
mkdir -p "$ROOT/var"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$ROOT/var/jieru.db}"
# Local demo only: the terminal/REST channel has no login, so it speaks for this buyer.
export JIERU_DEV_BUYER="${JIERU_DEV_BUYER:-b1001}"
if [ -z "${JIERU_APP_JWT_SECRET:-}" ]; then
  JIERU_APP_JWT_SECRET="$("$VENV_ACTIONS/bin/python" -c 'import secrets; print(secrets.token_hex(32))')"
  export JIERU_APP_JWT_SECRET
  log "JIERU_APP_JWT_SECRET not set: using a random one for this run"
fi
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
WEB_PORT="${WEB_PORT:-8000}"

log "database: $DATABASE_URL"
"$VENV_ACTIONS/bin/jieru" db upgrade
"$VENV_ACTIONS/bin/jieru" import-orders demo/orders.json --rebase-from "$DEMO_AS_OF"
train_model "$ROOT/models"

pids=()
cleanup() {
  trap - INT TERM EXIT
  log "stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

log "starting the action server on :$ACTIONS_PORT (log: var/actions.log)"
JIERU_BIN="$VENV_ACTIONS/bin" PORT="$ACTIONS_PORT" docker/entrypoint-actions.sh \
  > "$ROOT/var/actions.log" 2>&1 &
pids+=($!)
log "starting the Rasa server on :$RASA_PORT (log: var/rasa.log)"
JIERU_BIN="$VENV_RASA/bin" PORT="$RASA_PORT" docker/entrypoint-rasa.sh --cors "*" \
  > "$ROOT/var/rasa.log" 2>&1 &
pids+=($!)
log "starting the web service on :$WEB_PORT (log: var/web.log)"
JIERU_BIN="$VENV_ACTIONS/bin" PORT="$WEB_PORT" JIERU_WEB_HOST=127.0.0.1 \
  JIERU_RASA_URL="http://127.0.0.1:$RASA_PORT" JIERU_RASA_SOCKET_URL="http://127.0.0.1:$RASA_PORT" \
  JIERU_WEB_DEMO_BUYERS="${JIERU_WEB_DEMO_BUYERS:-$JIERU_DEV_BUYER,b1002,b1003,b1004,b1005,b1006}" \
  docker/entrypoint-web.sh > "$ROOT/var/web.log" 2>&1 &
pids+=($!)
wait_for_http "http://127.0.0.1:$ACTIONS_PORT/health" 120 "action server"
wait_for_http "http://127.0.0.1:$RASA_PORT/status" 300 "Rasa server"
wait_for_http "http://127.0.0.1:$WEB_PORT/health" 60 "web service"

TOKEN="$("$VENV_ACTIONS/bin/jieru" token "$JIERU_DEV_BUYER" --minutes 600)"
cat <<MSG

  介入助手 is running (buyer $JIERU_DEV_BUYER, demo orders loaded).
  - Chat here in the terminal below (numbers pick a button; Ctrl-C stops everything).
  - The web widget on a demo shop page (demo login as $JIERU_DEV_BUYER; ?buyer=b1002 … b1006):
      http://127.0.0.1:$WEB_PORT/
  - HTTP, the authenticated app channel:
      curl -s localhost:$RASA_PORT/webhooks/app/webhook -H 'Authorization: Bearer $TOKEN' \\
           -H 'Content-Type: application/json' -d '{"message": "卖家拒绝退款怎么办"}'
  - NLU only: curl -s localhost:$RASA_PORT/model/parse -d '{"text": "京东介入在哪里"}'

MSG
if [ -t 0 ]; then
  "$VENV_ACTIONS/bin/jieru" chat --url "http://127.0.0.1:$RASA_PORT" --token "$TOKEN"
else
  log "no terminal attached: servers keep running until this script is stopped"
  wait
fi
