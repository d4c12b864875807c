#!/usr/bin/env bash
# One command on a fresh machine: set up, then lint, unit and integration tests on
# SQLite and PostgreSQL, rasa data validate, train, conversation tests with
# --fail-on-prediction-errors, and HTTP tests through the authenticated app channel.
# Any failing stage fails the whole run.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

setup_envs
setup_widget
setup_browser
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

log "stage 1/7: lint (ruff, hadolint) and generated files up to date"
"$VENV_ACTIONS/bin/ruff" check jieru bot tests bench
"$VENV_ACTIONS/bin/hadolint" Dockerfile Dockerfile.actions Dockerfile.web
"$VENV_ACTIONS/bin/jieru" kb build --check

log "stage 2/7: unit and integration tests (action-server environment, SQLAlchemy 2)"
"$VENV_ACTIONS/bin/python" -m pytest -q -m "not rasa and not servers and not browser"
log "stage 2/7: the widget's unit tests (node --test)"
(cd web/widget && npm test --silent)

log "stage 3/7: Rasa-side tests (components, domain responses, channel, tracker store) in the Rasa environment"
"$VENV_RASA/bin/python" -m pytest -q -m "rasa and not servers" -p no:cacheprovider tests/channels tests/domain tests/nlu tests/stores

log "stage 4/7: rasa data validate"
"$VENV_RASA/bin/rasa" data validate --config bot/config.yml --domain domain --data bot/data

log "stage 5/7: train"
train_model "$ROOT/models"

log "stage 6/7: conversation tests (rasa test, failing on any wrong prediction)"
"$VENV_RASA/bin/rasa" test core --stories tests/conversations -m models \
  --fail-on-prediction-errors --out "$work/results" \
  || { cat "$work/results/failed_test_stories.yml" 2>/dev/null; exit 1; }

log "stage 7/7: whole conversations over HTTP (app channel) and in chromium (web widget)"
export DATABASE_URL="sqlite:///$work/http.db"
export JIERU_CLOCK="$DEMO_AS_OF" JIERU_DEV_BUYER=""
export JIERU_APP_JWT_SECRET="test-secret-$RANDOM$RANDOM"
"$VENV_ACTIONS/bin/jieru" db upgrade
"$VENV_ACTIONS/bin/jieru" import-orders demo/orders.json
ACTIONS_PORT=5155 RASA_PORT=5105 WEB_PORT=8105
# The project's endpoints.yml (tracker store included), with this run's action server.
sed "s#http://localhost:5055/webhook#http://127.0.0.1:$ACTIONS_PORT/webhook#" endpoints.yml > "$work/endpoints.yml"
# The servers start through the images' own entrypoints (docker/), so what the
# Dockerfiles run is what this stage tests.
JIERU_BIN="$VENV_ACTIONS/bin" PORT="$ACTIONS_PORT" docker/entrypoint-actions.sh > "$work/actions.log" 2>&1 &
pids+=($!)
JIERU_BIN="$VENV_RASA/bin" PORT="$RASA_PORT" JIERU_ENDPOINTS="$work/endpoints.yml" \
  docker/entrypoint-rasa.sh > "$work/rasa.log" 2>&1 &
pids+=($!)
JIERU_BIN="$VENV_ACTIONS/bin" PORT="$WEB_PORT" JIERU_WEB_HOST=127.0.0.1 \
  JIERU_RASA_URL="http://127.0.0.1:$RASA_PORT" JIERU_RASA_SOCKET_URL="http://127.0.0.1:$RASA_PORT" \
  JIERU_WEB_DEMO_BUYERS=b1001,b1002,b1003,b1004,b1005,b1006 JIERU_EVIDENCE_DIR="$work/evidence" \
  docker/entrypoint-web.sh > "$work/web.log" 2>&1 &
pids+=($!)
wait_for_http "http://127.0.0.1:$ACTIONS_PORT/health" 120 "action server"
wait_for_http "http://127.0.0.1:$RASA_PORT/status" 300 "Rasa server"
wait_for_http "http://127.0.0.1:$WEB_PORT/health" 60 "web service"
JIERU_RASA_URL="http://127.0.0.1:$RASA_PORT" JIERU_SERVER_LOGS="$work/rasa.log:$work/actions.log" \
  "$VENV_ACTIONS/bin/python" -m pytest -q -m servers \
  || { tail -n 50 "$work/rasa.log" "$work/actions.log"; exit 1; }
# Screenshots of the browser tests stay in test-artifacts/browser/ (CI keeps them).
JIERU_WEB_URL="http://127.0.0.1:$WEB_PORT" JIERU_RASA_URL="http://127.0.0.1:$RASA_PORT" \
  "$VENV_ACTIONS/bin/python" -m pytest -q -m browser tests/browser \
  || { tail -n 50 "$work/rasa.log" "$work/web.log"; exit 1; }
log "all stages passed"
