#!/bin/sh
# Rasa server: serve the trained model with the HTTP API and the channels of
# credentials.yml, in the foreground (exec, logs on stdout/stderr). The image runs it
# (Dockerfile) and so do scripts/run.sh and scripts/test.sh from a checkout:
#   JIERU_BIN=.venv/rasa/bin PORT=5105 JIERU_ENDPOINTS=/tmp/endpoints.yml docker/entrypoint-rasa.sh
#
#   JIERU_BIN          folder holding the rasa executable (default: found on PATH)
#   PORT               port to listen on (default 5005)
#   MODEL_DIR          model file, or folder whose newest model is served (default models)
#   JIERU_ENDPOINTS    endpoints file: action server, tracker and lock stores (default endpoints.yml)
#   JIERU_CREDENTIALS  channels file (default credentials.yml)
#   RASA_AUTH_TOKEN    if set, the HTTP API (/status, /model, /conversations) requires ?token=
#   JIERU_KB_DIR       knowledge base folder read by the NLU components (default: kb/ in the project)
#   JIERU_APP_JWT_SECRET  read by the app channel (jieru.rasa.channels.app)
# Relative paths are relative to the project folder. Any arguments are passed on to
# rasa run, e.g. --cors "*".
set -eu

if [ -n "${JIERU_BIN:-}" ]; then
  JIERU_BIN="$(cd "$JIERU_BIN" && pwd)/"
fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

: "${PORT:=5005}"
: "${MODEL_DIR:=models}"
: "${JIERU_ENDPOINTS:=endpoints.yml}"
: "${JIERU_CREDENTIALS:=credentials.yml}"
: "${JIERU_KB_DIR:=$ROOT/kb}"
: "${RASA_TELEMETRY_ENABLED:=false}"
export JIERU_KB_DIR RASA_TELEMETRY_ENABLED

if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
  set -- --auth-token "$RASA_AUTH_TOKEN" "$@"
fi
echo "entrypoint-rasa: serving $MODEL_DIR on port $PORT with $JIERU_ENDPOINTS" >&2
exec "${JIERU_BIN:-}rasa" run --enable-api --port "$PORT" --model "$MODEL_DIR" \
  --credentials "$JIERU_CREDENTIALS" --endpoints "$JIERU_ENDPOINTS" "$@"
