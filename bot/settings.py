"""Runtime settings, read from the environment (prefix ``LIAISON_``) and an optional ``.env``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob the bot reads at start-up."""

    model_config = SettingsConfigDict(
        env_prefix="LIAISON_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        default="sqlite+aiosqlite:///var/liaison.db",
        description="SQLAlchemy async URL; SQLite by default, PostgreSQL via asyncpg.",
    )
    data_dir: Path = Field(default=Path("var"), description="Uploads and generated files.")
    rules_dir: Path | None = Field(
        default=None, description="Folder of <year>.toml rules files; the packaged ones if unset."
    )
    telegram_token: SecretStr | None = Field(default=None, description="Bot token from @BotFather.")
    telegram_api_url: str | None = Field(
        default=None, description="Another Bot API server, e.g. a local one."
    )
    webhook_url: str | None = Field(
        default=None, description="Public HTTPS URL of the webhook; polling when unset."
    )
    webhook_path: str = Field(default="/telegram/webhook", description="Path served for it.")
    webhook_secret: SecretStr | None = Field(
        default=None, description="secret_token checked on every webhook call."
    )
    web_host: str = Field(default="127.0.0.1", description="Web chat and webhook listen host.")
    web_port: int = Field(default=8080, description="Web chat and webhook listen port.")
    web_enabled: bool = Field(default=True, description="Serve the web chat.")
    cookie_secret: SecretStr | None = Field(
        default=None, description="Signs web chat identities; random per start when unset."
    )
    timezone: str = Field(default="Asia/Shanghai", description="The committee's time zone.")
    default_locale: str = Field(default="zh_CN", description="zh_CN or en.")
    redis_url: str | None = Field(default=None, description="Redis for FSM storage and locks.")
    demo: bool = Field(default=False, description="Demo mode: persona switch in the web chat.")
    flood_limit: int = Field(default=20, description="Messages a minute per chat before a pause.")
    max_concurrent_updates: int = Field(
        default=8, ge=1, le=16, description="Updates handled at once; the rest wait their turn."
    )
    delivery_rate: float = Field(
        default=25.0,
        gt=0,
        le=1000,
        description="Telegram messages a second the outbox sends (up to 1000 for paid broadcasts).",
    )
    quiet_hours: str = Field(
        default="21:00-08:00", description="Non-urgent pushes wait until the end of these hours."
    )
    delivery_lease_seconds: int = Field(
        default=120, ge=1, description="A message left 'sending' this long by a crash is retried."
    )
    log_level: str = Field(default="INFO")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in ("zh_CN", "en"):
            raise ValueError("default_locale must be zh_CN or en")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _hours_range(cls, value: str) -> str:
        start, _, end = value.partition("-")
        dt.time.fromisoformat(start.strip())
        dt.time.fromisoformat(end.strip())
        return value

    @property
    def quiet_range(self) -> tuple[dt.time, dt.time]:
        """Start and end of the quiet hours, local times."""
        start, _, end = self.quiet_hours.partition("-")
        return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())

    @property
    def files_dir(self) -> Path:
        """Where files the bot keeps (meeting materials) are stored."""
        return self.data_dir / "files"

    @property
    def tz(self) -> ZoneInfo:
        """The committee's time zone as a tzinfo."""
        return ZoneInfo(self.timezone)

    @property
    def upload_dir(self) -> Path:
        """Where web chat uploads are stored."""
        return self.data_dir / "uploads"
