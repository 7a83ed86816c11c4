#!/usr/bin/env bash
# Build the image, check that it keeps its HEALTHCHECK and refuses to start without a
# platform, that its user rebuilds the index from mounted knowledge into a volume, start
# it (Teams in local-test mode, published on 127.0.0.1 only), wait for /healthz, check
# that the runtime has no torch, sentence-transformers or transformers, print the image
# size, and clean up.
# Needs a Docker engine; where there is none it says so and exits 0 without testing.
#   scripts/docker_smoke.sh [IMAGE]      (default rollenbot:smoke; PORT=3999 to change)
set -euo pipefail
cd "$(dirname "$0")/.."
image=${1:-rollenbot:smoke}
port=${PORT:-3999}

if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
    echo "docker_smoke: no Docker engine here: nothing tested" >&2
    exit 0
fi

docker build -t "$image" .

echo "--- the image keeps its HEALTHCHECK"
docker image inspect --format '{{json .Config.Healthcheck}}' "$image" | grep -q healthz \
    || { echo "FAIL: no HEALTHCHECK in the image (an OCI-format build? see README)" >&2; exit 1; }

echo "--- the image's user rebuilds the index from mounted knowledge, into a volume"
work=$(mktemp -d)
cp -r knowledge "$work/knowledge"
sed -i 's/^      - Vertriebschefin$/      - Vertriebschefin\n      - Verkaufsboss/' \
    "$work/knowledge/positionen.yaml"
volume="rollenbot-smoke-index-$$"
docker run --rm -v "$work/knowledge:/app/knowledge:ro" -v "$volume:/app/index" "$image" \
    rolle build | tee /tmp/rollenbot-smoke.out
grep -q "Built index" /tmp/rollenbot-smoke.out \
    || { echo "FAIL: the image's user did not rebuild the index" >&2; exit 1; }
docker run --rm -v "$work/knowledge:/app/knowledge:ro" -v "$volume:/app/index" "$image" \
    rolle ask --json Verkaufsboss | grep -q '"id": "vertriebsleiter"' \
    || { echo "FAIL: the rebuilt index does not know the edit" >&2; exit 1; }
docker volume rm "$volume" >/dev/null
rm -rf "$work"

echo "--- without Slack/Teams settings the server must refuse to start"
if docker run --rm "$image" >/tmp/rollenbot-smoke.out 2>&1; then
    echo "FAIL: 'rolle serve' started without any platform configured" >&2
    exit 1
fi
cat /tmp/rollenbot-smoke.out

echo "--- start, wait for /healthz"
cid=$(docker run -d -p "127.0.0.1:${port}:3000" -e ROLLE_TEAMS_ANONYMOUS=true "$image")
trap 'docker rm -f "$cid" >/dev/null' EXIT
started=$(date +%s)
for _ in $(seq 120); do
    if body=$(curl -fsS "http://127.0.0.1:${port}/healthz" 2>/dev/null); then
        echo "healthy after $(( $(date +%s) - started )) s: $body"
        break
    fi
    sleep 0.5
done
[ -n "${body:-}" ] || { echo "FAIL: /healthz never answered 200" >&2; docker logs "$cid" >&2; exit 1; }
curl -fsS "http://127.0.0.1:${port}/metrics" | grep -q '^rollenbot_index_passages ' \
    || { echo "FAIL: /metrics has no index gauge" >&2; exit 1; }

echo "--- the runtime stage holds no torch"
docker exec "$cid" python -c "
import importlib.util, sys
found = [m for m in ('torch', 'sentence_transformers', 'transformers') if importlib.util.find_spec(m)]
print('FAIL: installed:', found) if found else print('no torch, sentence-transformers, transformers')
sys.exit(1 if found else 0)"
docker exec "$cid" sh -c 'env | grep -i -E "^(TORCH_INDEX_URL|PIP_EXTRA_INDEX_URL)=" && exit 1 || true'

echo "--- image size"
docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%s: %.0f MB\n", "'"$image"'", $1/1e6}'
echo "docker_smoke: OK"
