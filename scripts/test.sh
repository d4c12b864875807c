#!/usr/bin/env bash
# One command on a fresh machine: set up, then lint, unit and integration tests on
# SQLite and PostgreSQL, rasa data validate, train, conversation tests with
# --fail-on-prediction-errors, and HTTP tests through the authenticated app channel.
# Any failing stage fails the whole run.
#
#   scripts/test.sh                 every stage, in order (what CI runs)
#   scripts/test.sh --stage NAME    one stage: lint, unit, rasa-unit, validate, train,
#                                   conversations, e2e (conversations and e2e train first
#                                   if the model is out of date)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

STAGES=(lint unit rasa-unit validate train conversations e2e)
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --stage) [ $# -ge 2 ] || die "--stage needs a name: ${STAGES[*]}"; only="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (try --stage NAME with one of: ${STAGES[*]})" ;;
  esac
done
if [ -n "$only" ] && [[ " ${STAGES[*]} " != *" $only "* ]]; then
  die "unknown stage '$only': one of ${STAGES[*]}"
fi

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

stage_lint() {
  log "stage 1/7: lint (ruff, import contracts, mypy, hadolint) and generated files up to date"
  "$VENV_ACTIONS/bin/ruff" check jieru bot tests bench
  "$VENV_ACTIONS/bin/ruff" format --check jieru bot tests bench
  "$VENV_ACTIONS/bin/lint-imports"
  "$VENV_ACTIONS/bin/mypy"
  "$VENV_ACTIONS/bin/hadolint" Dockerfile Dockerfile.actions Dockerfile.web
  "$VENV_ACTIONS/bin/jieru" kb build --check
}

stage_unit() {
  log "stage 2/7: agent console and widget (npm ci from the lock files, node unit tests, esbuild bundles); unit and integration tests (action-server environment, SQLAlchemy 2)"
  (cd web/console && npm ci --no-audit --no-fund && npm test && npm run build)
  (cd web/widget && npm test --silent)
  "$VENV_ACTIONS/bin/python" -m pytest -q -m "not rasa and not servers and not browser"
}

stage_rasa_unit() {
  log "stage 3/7: Rasa-side tests (components, domain responses, channel, tracker store) in the Rasa environment"
  "$VENV_RASA/bin/python" -m pytest -q -m "rasa and not servers" -p no:cacheprovider tests/channels tests/domain tests/nlu tests/stores
}

stage_validate() {
  log "stage 4/7: rasa data validate"
  "$VENV_RASA/bin/rasa" data validate --config bot/config.yml --domain domain.yml --data bot/data
}

stage_train() {
  log "stage 5/7: train"
  train_model "$ROOT/models"
}

stage_conversations() {
  log "stage 6/7: conversation tests (rasa test, failing on any wrong prediction)"
  # --e2e: the NLU parses each story's typed text, and a wrong intent, FAQ key or entity
  # fails like a wrong action (without it the story's labels are used as given). It also
  # reads only files named test_*.yml.
  "$VENV_RASA/bin/rasa" test core --e2e --stories tests/conversations -m models \
    --fail-on-prediction-errors --out "$work/results" \
    || { cat "$work/results/failed_test_stories.yml" 2>/dev/null; exit 1; }
}

stage_e2e() {
  log "stage 7/7: whole conversations over HTTP (app channel) and in chromium (web widget, agent console)"
  export DATABASE_URL="sqlite:///$work/http.db"
  export JIERU_CLOCK="$DEMO_AS_OF" JIERU_DEV_BUYER=""
  export JIERU_APP_JWT_SECRET="test-secret-$RANDOM$RANDOM"
  "$VENV_ACTIONS/bin/jieru" db upgrade
  "$VENV_ACTIONS/bin/jieru" import-orders demo/orders.json
  local actions_port="${JIERU_TEST_ACTIONS_PORT:-5155}" rasa_port="${JIERU_TEST_RASA_PORT:-5105}"
  local web_port="${JIERU_TEST_WEB_PORT:-8105}"
  # The project's endpoints.yml (tracker store included), with this run's action server.
  sed "s#http://localhost:5055/webhook#http://127.0.0.1:$actions_port/webhook#" endpoints.yml > "$work/endpoints.yml"
  # The servers start through the images' own entrypoints (docker/), so what the
  # Dockerfiles run is what this stage tests.
  JIERU_BIN="$VENV_ACTIONS/bin" PORT="$actions_port" docker/entrypoint-actions.sh > "$work/actions.log" 2>&1 &
  pids+=($!)
  JIERU_BIN="$VENV_RASA/bin" PORT="$rasa_port" JIERU_ENDPOINTS="$work/endpoints.yml" \
    docker/entrypoint-rasa.sh > "$work/rasa.log" 2>&1 &
  pids+=($!)
  JIERU_BIN="$VENV_ACTIONS/bin" PORT="$web_port" JIERU_WEB_HOST=127.0.0.1 \
    JIERU_RASA_URL="http://127.0.0.1:$rasa_port" JIERU_RASA_SOCKET_URL="http://127.0.0.1:$rasa_port" \
    JIERU_WEB_DEMO_BUYERS=b1001,b1002,b1003,b1004,b1005,b1006 JIERU_EVIDENCE_DIR="$work/evidence" \
    docker/entrypoint-web.sh > "$work/web.log" 2>&1 &
  pids+=($!)
  wait_for_http "http://127.0.0.1:$actions_port/health" 120 "action server"
  wait_for_http "http://127.0.0.1:$rasa_port/status" 300 "Rasa server"
  wait_for_http "http://127.0.0.1:$web_port/health" 60 "web service"
  JIERU_RASA_URL="http://127.0.0.1:$rasa_port" JIERU_SERVER_LOGS="$work/rasa.log:$work/actions.log" \
    "$VENV_ACTIONS/bin/python" -m pytest -q -m servers \
    || { tail -n 50 "$work/rasa.log" "$work/actions.log"; exit 1; }
  # Screenshots of the browser tests stay in test-artifacts/browser/ (CI keeps them).
  JIERU_WEB_URL="http://127.0.0.1:$web_port" JIERU_RASA_URL="http://127.0.0.1:$rasa_port" \
    "$VENV_ACTIONS/bin/python" -m pytest -q -m browser tests/browser \
    || { tail -n 50 "$work/rasa.log" "$work/web.log"; exit 1; }
}

if [ -n "$only" ]; then
  # The stages that serve a model need one of the current inputs.
  case "$only" in conversations|e2e) stage_train ;; esac
  "stage_${only//-/_}"
  log "stage $only passed"
  exit 0
fi
for stage in "${STAGES[@]}"; do
  "stage_${stage//-/_}"
done
log "all stages passed"
