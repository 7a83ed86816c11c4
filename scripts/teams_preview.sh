#!/usr/bin/env bash
# Screenshots of Rollenbot's Teams answers in Microsoft's Agents Playground.
#
# A developer tool for people who change cards (not part of `make test`). It starts
# `rolle serve` in anonymous Teams mode and the Microsoft 365 Agents Playground (npm
# @microsoft/m365agentsplayground, telemetry disabled), both on 127.0.0.1 only, then
# drives Debian's Chromium (headless, through Playwright for Python) through every kind
# of reply (see scripts/teams_preview.py), checks that each card fits and that each of
# its buttons does something, and writes PNGs. Requests to anything but loopback are
# blocked.
#
# Needs: node/npm, `apt-get install chromium` (optional: fonts-noto-color-emoji),
# `pip install -e '.[dev]'` (playwright; no browser download: /usr/bin/chromium is used),
# and a built index (`rolle build`).
#
# Usage: scripts/teams_preview.sh [OUT_DIR] [SCENE ...]   (scenes: welcome answer follow-up
#   comparison marketing-vs-sales clarify no-answer out-of-scope tour-step help list;
#   default: all)
#   OUT_DIR defaults to var/teams-preview (git-ignored). Environment: PYTHON (default
#   .venv/bin/python), BOT_PORT (3978), PLAYGROUND_PORT (56150).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
BOT_PORT="${BOT_PORT:-3978}"
PLAYGROUND_PORT="${PLAYGROUND_PORT:-56150}"
PLAYGROUND_VERSION="0.2.28"
OUT="${1:-var/teams-preview}"
shift || true
TOOLS="$ROOT/var/preview/tools"
RUN="$ROOT/var/preview/run"
mkdir -p "$OUT" "$TOOLS" "$RUN"
PLAYGROUND="$TOOLS/node_modules/@microsoft/m365agentsplayground/cli.js"

if [[ ! -x /usr/bin/chromium ]]; then
    echo "teams_preview: /usr/bin/chromium is missing: apt-get install -y chromium" >&2
    exit 2
fi
if [[ ! -f "$PLAYGROUND" ]]; then
    echo "teams_preview: installing @microsoft/m365agentsplayground@$PLAYGROUND_VERSION into $TOOLS"
    npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error \
        "@microsoft/m365agentsplayground@$PLAYGROUND_VERSION"
fi

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

wait_for() {  # URL, what
    for _ in $(seq 120); do
        if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
        sleep 1
    done
    echo "teams_preview: $2 did not start; see $RUN/*.log" >&2
    exit 1
}

# The bot: anonymous Teams mode (no credentials), loopback only, a throwaway database
# (fresh each run: no tour or follow-up from an earlier run).
rm -f "$RUN/preview.db"
ROLLE_TEAMS_ANONYMOUS=true ROLLE_HOST=127.0.0.1 PORT="$BOT_PORT" \
    ROLLE_DATABASE_URL="sqlite:///$RUN/preview.db" \
    "$PYTHON" -m bot.cli serve >"$RUN/serve.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$BOT_PORT/healthz" "rolle serve"

# The Playground listens on every interface unless told otherwise: loopback.cjs makes
# its servers listen on 127.0.0.1; TEAMSAPPTESTER_BROWSER=none keeps it from opening one.
(cd "$RUN" && TEAMSAPPTESTER_BROWSER=none NODE_OPTIONS="--require $ROOT/scripts/loopback.cjs" \
    exec node "$PLAYGROUND" --app-endpoint "http://127.0.0.1:$BOT_PORT/api/messages" \
    --channel-id msteams --port "$PLAYGROUND_PORT" --disable-telemetry) \
    >"$RUN/playground.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$PLAYGROUND_PORT/" "the Agents Playground"

PYTHONPATH="$ROOT" "$PYTHON" scripts/teams_preview.py \
    --url "http://127.0.0.1:$PLAYGROUND_PORT" --out "$OUT" "$@"
