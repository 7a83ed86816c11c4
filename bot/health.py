"""What the server says about itself: ``GET /healthz`` (liveness), ``GET /readyz``
(readiness) and ``GET /metrics`` (Prometheus), registered by :mod:`bot.server`."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.keys import CONVERSATION_KEY, INFLIGHT_KEY, RELOADER_KEY, SETTINGS_KEY
from bot.metrics import CONTENT_TYPE_LATEST, METRICS_KEY
from bot.reload import embedder_kind

DATABASE_CHECK_SECONDS = 2.0  # /healthz waits this long for the database's answer


async def database_state(request: web.Request) -> str:
    """"ok" when the database answers now, "down" while it is away, "off" without one."""
    store = request.app[CONVERSATION_KEY].store
    if store is None:
        return "off"
    try:
        up = await asyncio.wait_for(asyncio.to_thread(store.check), DATABASE_CHECK_SECONDS)
    except TimeoutError:  # a database that does not answer at all
        up = False
    return "ok" if up else "down"


async def healthz(request: web.Request) -> web.Response:
    """Liveness: 200 once the engine in use has passed its self-check (one real
    question answered end to end), "degraded" while the database is away (answers go
    on, what happens is kept); 503 with the reason before the check or when it failed.
    Says which index (build time, knowledge hash) and embedder answer, the database's
    state and how many answers are in flight."""
    settings = request.app[SETTINGS_KEY]
    slack = "off"
    if settings.slack_enabled:
        slack = "socket" if settings.slack_app_token else "http"
    reloader = request.app[RELOADER_KEY]
    serving = reloader.serving
    database = await database_state(request)
    if serving is None:
        return web.json_response({"status": "starting", "database": database,
                                  "detail": "the self-check is still running"}, status=503)
    manifest = serving.manifest
    status = "unhealthy" if not serving.health.ok else \
        "degraded" if database == "down" else "ok"
    store = request.app[CONVERSATION_KEY].store
    body = {
        "status": status,
        "detail": serving.health.detail,
        "database": database,
        "kept_writes": store.kept if store is not None else 0,
        "in_flight": request.app[INFLIGHT_KEY].count,
        "passages": len(serving.engine.passages),
        "index": {"built_at": manifest.get("built_at"),
                  "knowledge_hash": manifest.get("knowledge_hash"),
                  "model": manifest.get("model"),
                  "loaded_at": serving.since,
                  "reloads": reloader.reloads,
                  "refused": reloader.refusals},
        "embedder": embedder_kind(serving.engine),
        "slack": slack,
        "teams": "on" if settings.teams_enabled else "off",
    }
    return web.json_response(body, status=200 if serving.health.ok else 503)


async def readyz(request: web.Request) -> web.Response:
    """Readiness: 200 while the engine has passed its self-check and the database
    answers (or there is none), else 503 with the reason."""
    serving = request.app[RELOADER_KEY].serving
    database = await database_state(request)
    if serving is None or not serving.health.ok:
        reason = "the self-check has not passed" if serving is None else serving.health.detail
        return web.json_response({"ready": False, "reason": reason, "database": database},
                                 status=503)
    if database == "down":
        return web.json_response({"ready": False, "reason": "the database is away",
                                  "database": database}, status=503)
    return web.json_response({"ready": True, "database": database})


async def metrics_page(request: web.Request) -> web.Response:
    """The Prometheus metrics of this process."""
    metrics, reloader = request.app[METRICS_KEY], request.app[RELOADER_KEY]
    metrics.reloads.labels("swapped").set(reloader.reloads)
    metrics.reloads.labels("refused").set(reloader.refusals)
    store = request.app[CONVERSATION_KEY].store
    if store is not None:
        metrics.database(store, await database_state(request) == "ok")
    response = web.Response(body=metrics.render())
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response
