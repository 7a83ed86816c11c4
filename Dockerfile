# Rollenbot: one process serving Slack (HTTP or Socket Mode) and Teams on $PORT.
# Build: docker build -t rollenbot .   Run: docker run --env-file .env -p 3000:3000 rollenbot
FROM python:3.11-slim

# Where your pip finds a CPU-only torch 2.13.0 wheel (an extra index URL); without one,
# pip may pull a much larger CUDA build.
ARG PIP_EXTRA_INDEX_URL=""
ENV PIP_EXTRA_INDEX_URL=${PIP_EXTRA_INDEX_URL} \
    PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    PORT=3000

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install torch==2.13.0 && pip install .

COPY knowledge ./knowledge
COPY scripts ./scripts
# The index is built into the image, so the container starts without the build step.
RUN ROLLE_KNOWLEDGE_DIR=/app/knowledge ROLLE_INDEX_DIR=/app/index rolle build

ENV ROLLE_KNOWLEDGE_DIR=/app/knowledge ROLLE_INDEX_DIR=/app/index
RUN useradd --create-home rolle && chown -R rolle /app
USER rolle
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import os,urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"3000\")}/healthz', timeout=4)"
CMD ["rolle", "run"]
