# Shared by scripts/run.sh and scripts/test.sh: find Python 3.10, build the two
# environments from their lock files (skipped when the lock is unchanged).
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_RASA="$ROOT/.venv/rasa"
VENV_ACTIONS="$ROOT/.venv/actions"
export RASA_TELEMETRY_ENABLED=false
# This checkout's code first, whichever checkout the environments were installed from
# (several worktrees may share one .venv; its editable install points at one of them).
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
# The demo data is written as of this instant; imports shift it to "now".
DEMO_AS_OF="2026-11-20T12:00:00+08:00"

log() { printf '\033[1;34m[jieru]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[jieru] %s\033[0m\n' "$*" >&2; exit 1; }

# Rasa 3.6 runs on Python 3.8-3.10 only. Look on PATH, then in pyenv.
find_python310() {
  local candidate prefix
  for candidate in "${JIERU_PYTHON:-}" python3.10; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      command -v "$candidate" 2>/dev/null || echo "$candidate"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    prefix="$(pyenv prefix 3.10 2>/dev/null || true)"
    if [ -z "$prefix" ]; then
      candidate="$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10\.[0-9]+$' | sort -V | tail -n 1 || true)"
      [ -n "$candidate" ] && prefix="$(pyenv root)/versions/$candidate"
    fi
    if [ -n "$prefix" ] && [ -x "$prefix/bin/python3.10" ]; then
      echo "$prefix/bin/python3.10"; return 0
    fi
  fi
  die "Python 3.10 is required (Rasa 3.6 supports Python 3.8-3.10) and was not found.
  Install it, e.g. 'pyenv install 3.10.13' or your OS package 'python3.10' (with venv),
  or point JIERU_PYTHON at a python3.10 executable."
}

# make_env DIR LOCKFILE: create or refresh a virtualenv from a lock file.
make_env() {
  local dir="$1" lock="$2" stamp want
  stamp="$dir/.jieru-lock.sha256"
  want="$(cat "$lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  log "installing $(basename "$dir") environment from ${lock#"$ROOT"/} (a few minutes the first time)"
  [ -x "$dir/bin/python" ] || "$PYTHON310" -m venv "$dir"
  "$dir/bin/python" -m pip install -q -r "$lock"
  "$dir/bin/python" -m pip install -q --no-deps -e "$ROOT"
  echo "$want" > "$stamp"
}

setup_envs() {
  # Environments kept up to date elsewhere (several checkouts sharing one .venv): use
  # them as they are rather than reinstalling into them.
  if [ -n "${JIERU_ENVS_READY:-}" ]; then
    [ -x "$VENV_RASA/bin/python" ] && [ -x "$VENV_ACTIONS/bin/python" ] \
      || die "JIERU_ENVS_READY is set but $VENV_RASA or $VENV_ACTIONS is missing"
    log "JIERU_ENVS_READY: using the environments in .venv as they are"
    return 0
  fi
  PYTHON310="$(find_python310)"
  log "using $PYTHON310 ($("$PYTHON310" --version 2>&1))"
  make_env "$VENV_RASA" "$ROOT/requirements/rasa.lock"
  make_env "$VENV_ACTIONS" "$ROOT/requirements/actions.lock"
}

# wait_for_http URL SECONDS NAME: poll until the URL answers.
wait_for_http() {
  local url="$1" seconds="$2" name="$3" i
  for ((i = 0; i < seconds; i++)); do
    if "$VENV_ACTIONS/bin/python" -c "import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$url" 2>/dev/null; then
      return 0
    fi
    sleep 1
  done
  die "$name did not come up within ${seconds}s ($url)"
}

# model_inputs_digest: everything the trained model depends on. Rasa's own "nothing
# changed" check retrains DIET every time here (its cache entry keeps missing), so
# staleness is decided from the inputs themselves.
model_inputs_digest() {
  (cd "$ROOT" && find bot/config.yml bot/data bot/dicts domain.yml kb/lexicon.yml jieru/rasa/nlu jieru/text.py jieru/kb/lexicon.py \
      requirements/rasa.lock -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum) \
    | sha256sum | cut -d' ' -f1
}

# train_model MODEL_DIR: train unless MODEL_DIR already holds a model of these inputs.
train_model() {
  local out="$1" digest
  digest="$(model_inputs_digest)"
  if [ -f "$out/jieru.tar.gz" ] && [ "$(cat "$out/jieru.inputs.sha256" 2>/dev/null)" = "$digest" ]; then
    log "model is up to date with data and config: not training"
    return 0
  fi
  log "training the model (data or config changed; about 5 minutes on 2 cores)"
  (cd "$ROOT" && "$VENV_RASA/bin/rasa" train --config bot/config.yml --domain domain.yml \
      --data bot/data --out "$out" --fixed-model-name jieru)
  echo "$digest" > "$out/jieru.inputs.sha256"
}

# as_root CMD...: run a command as root (directly, or through sudo when not root).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install PACKAGE...: install Debian packages that are missing (CI starts clean).
apt_install() {
  log "installing $* (apt)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@"
}

# setup_widget: the widget's npm packages from its lock file (into web/widget/node_modules,
# nothing global; skipped when the lock is unchanged), then its bundle in web/widget/dist.
setup_widget() {
  local dir="$ROOT/web/widget" stamp want
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  stamp="$dir/node_modules/.jieru-lock.sha256"
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing the widget's npm packages from web/widget/package-lock.json"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
  (cd "$dir" && npm run --silent build)
}

# setup_browser: Debian's chromium and CJK fonts for the browser tests (never a browser
# downloaded by Playwright).
setup_browser() {
  local missing=() package
  for package in chromium fonts-noto-cjk; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi
}
