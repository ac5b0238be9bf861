"""Runtime settings, read from the environment (prefix ``LIAISON_``) and an optional ``.env``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.clock import Clock, ScaledClock, ShiftedClock, SystemClock
from services.reference.maps import AMAP_MARKER, map_link

if TYPE_CHECKING:
    from services.reminders.settings import ReminderSettings


DURATION = re.compile(r"^(\d+)\s*([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_durations(value: str) -> tuple[dt.timedelta, ...]:
    """``"2d,2h"`` as durations, longest first; each a number with d, h or m."""
    found = []
    for part in value.split(","):
        match = DURATION.match(part.strip())
        if match is None or int(match[1]) == 0:
            raise ValueError(f"{part.strip()!r}: write a duration like 2d, 3h or 30m")
        found.append(dt.timedelta(**{UNITS[match[2]]: int(match[1])}))
    return tuple(sorted(found, reverse=True))


def check_public_url(value: str) -> str:
    """The site root ``value`` names, like ``https://liaison.example.org``; ValueError if not.

    Links are built by appending ``/?start=...``, and the web chat is served at ``/``: a path,
    a query or a fragment would give links that lead nowhere, so they are refused here.
    """
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"public_url {value!r}: write an http or https address, like https://liaison.example.org"
        )
    if (
        parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username
        or any(char in value for char in "{}\\ ")
    ):
        raise ValueError(
            f"public_url {value!r}: give only the site's address, like https://liaison.example.org "
            "(no path, query, fragment or user: the web chat is served at /)"
        )
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError as error:
        raise ValueError(f"public_url {value!r}: the port is not a number") from error
    return f"{parts.scheme}://{parts.netloc}"


class WeChatTemplate(BaseModel):
    """A pre-approved template message standing in for one kind of notice.

    ``fields`` maps the template's keys (``thing1``, ``time2``...) to the notice's facts
    (``title``, ``status``, ``case``, ``time``...).
    """

    template_id: str
    fields: dict[str, str]
    url: str | None = None


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
    telegram_api_local: bool = Field(
        default=False,
        description="That server runs with --local on this machine: files are read from disk.",
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
    trust_proxy: bool = Field(
        default=False,
        description=(
            "A reverse proxy in front sets X-Forwarded-For and X-Forwarded-Proto; read the "
            "client's address and scheme from them. Leave off when clients connect directly."
        ),
    )
    public_url: str | None = Field(
        default=None,
        description=(
            "The web chat's public address, e.g. https://liaison.example.org: QR codes, invite "
            "and check-in links point there when the web chat is the channel."
        ),
    )
    map_url_template: str = Field(
        default=AMAP_MARKER,
        description="Map link for a place; {lat} and {lon} are replaced by its coordinates.",
    )
    cookie_secret: SecretStr | None = Field(
        default=None,
        description="Signs web chat identities; when unset, a key made once and kept in var/.",
    )
    webchat_history_length: int = Field(
        default=200, ge=10, le=5000, description="Messages kept per web chat; older ones go."
    )
    webchat_export_hours: int = Field(
        default=24, ge=1, le=24 * 30, description="A /mydata file in the web chat expires after."
    )
    webchat_upload_hours: int = Field(
        default=6,
        ge=1,
        le=24 * 30,
        description="A web chat upload that joined no case or activity is deleted after.",
    )
    webchat_uploads_per_hour: int = Field(
        default=30, ge=1, description="Uploads an hour per web chat (per browser)."
    )
    webchat_uploads_per_address_hour: int = Field(
        default=60, ge=1, description="Uploads an hour per client address, whatever its cookies."
    )
    webchat_address_pending_mb: int = Field(
        default=64,
        ge=1,
        description="Megabytes of uploads one client address may hold before they join a case.",
    )
    timezone: str = Field(default="Asia/Shanghai", description="The committee's time zone.")
    default_locale: str = Field(default="zh_CN", description="zh_CN or en.")
    redis_url: str | None = Field(default=None, description="Redis for FSM storage and locks.")
    # --- WeChat service account (residents) ---------------------------------------------------
    wechat_app_id: str | None = Field(
        default=None, description="Service account AppID; the channel is off when unset."
    )
    wechat_app_secret: SecretStr | None = Field(default=None, description="Its AppSecret.")
    wechat_token: SecretStr | None = Field(
        default=None, description="The callback Token set in the account's server settings."
    )
    wechat_aes_key: SecretStr | None = Field(
        default=None,
        description="EncodingAESKey (43 characters): secure mode; plain signed mode when unset.",
    )
    wechat_api_url: str = Field(
        default="https://api.weixin.qq.com", description="The WeChat API's base address."
    )
    wechat_path: str = Field(default="/wechat/callback", description="Callback path served.")
    wechat_reply_deadline: float = Field(
        default=4.0,
        gt=0,
        lt=5,
        description="Seconds a callback waits for the passive reply before answering 'success'.",
    )
    wechat_templates: dict[str, WeChatTemplate] = Field(
        default_factory=dict,
        description=(
            "Template messages for notices outside the 48-hour window, by outbox kind, as JSON: "
            '{"issue": {"template_id": "...", "fields": {"thing1": "title", ...}}}.'
        ),
    )
    # --- WeCom self-built app (members, staff, departments) ----------------------------------
    wecom_corp_id: str | None = Field(
        default=None, description="WeCom corp id; the channel is off when unset."
    )
    wecom_agent_id: int | None = Field(default=None, description="The self-built app's AgentId.")
    wecom_secret: SecretStr | None = Field(default=None, description="The app's Secret.")
    wecom_token: SecretStr | None = Field(default=None, description="The app's callback Token.")
    wecom_aes_key: SecretStr | None = Field(
        default=None, description="The app's callback EncodingAESKey (43 characters)."
    )
    wecom_api_url: str = Field(
        default="https://qyapi.weixin.qq.com", description="The WeCom API's base address."
    )
    wecom_path: str = Field(default="/wecom/callback", description="Callback path served.")
    wecom_per_minute: int = Field(
        default=30, ge=1, description="Messages a minute to one WeCom member (WeCom drops more)."
    )
    wecom_per_hour: int = Field(
        default=1000, ge=1, description="Messages an hour to one WeCom member."
    )
    demo: bool = Field(default=False, description="Demo mode: persona switch in the web chat.")
    demo_database_url: str | None = Field(
        default=None,
        description=(
            "The database `liaison demo` seeds and serves; `demo.db` in the data folder when "
            "unset. Never the database of `liaison run`."
        ),
    )
    flood_limit: int = Field(
        default=60,
        description="Typed messages a minute per chat before a pause; presses twice as many.",
    )
    database_pool_size: int = Field(
        default=20,
        ge=2,
        le=200,
        description=(
            "Database connections each worker keeps open (as many again at a peak). Several "
            "workers on PostgreSQL: keep workers x 2 x this under the server's max_connections."
        ),
    )
    # Each update holds at most one pooled connection now, and the pool has 40: 16 at once
    # keeps twice that free, and lets the group commit share a transaction among more updates.
    max_concurrent_updates: int = Field(
        default=16, ge=1, le=16, description="Updates handled at once; the rest wait their turn."
    )
    delivery_rate: float = Field(
        default=25.0,
        gt=0,
        le=1000,
        description="Telegram messages a second the outbox sends (over 30 needs paid broadcasts).",
    )
    paid_broadcast: bool = Field(
        default=False,
        description="Send with Telegram's allow_paid_broadcast (paid in Stars) to exceed 30/s.",
    )
    meeting_reminders: str = Field(
        default="2d,2h", description="Meeting reminders this long before the start."
    )
    meeting_nudge: str = Field(
        default="1d", description="The nudge to invitees who have not answered, before the start."
    )
    minimum_reminder_days: str = Field(
        default="14,3", description="Days before a quarter ends to remind members short of it."
    )
    rate_reminders: str = Field(
        default="3d,7d", description="After an answer, ask the resident to rate it this late."
    )
    unassigned_after: str = Field(
        default="24h", description="A case with nobody assigned this long is brought to staff."
    )
    overdue_staff_after: str = Field(
        default="2d", description="A case past its due date this long is brought to staff."
    )
    quiet_hours: str = Field(
        default="21:00-08:00", description="Non-urgent pushes wait until the end of these hours."
    )
    delivery_lease_seconds: int = Field(
        default=120, ge=1, description="A message left 'sending' this long by a crash is retried."
    )
    clock_start: dt.datetime | None = Field(
        default=None,
        description=(
            "Start the bot's clock at this moment (ISO 8601 with an offset) instead of the "
            "wall clock; it then runs at real speed. For rehearsals and tests only."
        ),
    )
    clock_speed: float = Field(
        default=1.0,
        ge=1.0,
        le=1_000_000.0,
        description=(
            "With clock_start, the bot's clock runs this many times faster than the wall "
            "clock, and the periodic jobs keep their intervals in the bot's time. For "
            "simulations only."
        ),
    )
    clock_origin: dt.datetime | None = Field(
        default=None,
        description=(
            "The wall-clock moment at which the bot's clock read clock_start (default: when "
            "the process started). Workers given the same start, speed and origin share one "
            "clock."
        ),
    )
    leader_lease_seconds: float = Field(
        default=5.0,
        ge=1.0,
        le=300.0,
        description=(
            "Several workers: the leader (the one running the scheduler and the delivery "
            "loop) renews its lease this often times three; another takes over within about "
            "this long after it dies."
        ),
    )
    log_level: str = Field(default="INFO")

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        return check_public_url(value) if value else None

    @field_validator("map_url_template")
    @classmethod
    def _map_template(cls, value: str) -> str:
        if "{lat}" not in value or "{lon}" not in value:
            raise ValueError(f"map_url_template {value!r}: it needs both {{lat}} and {{lon}}")
        if urlsplit(map_link(value, 0.0, 0.0)).scheme not in ("http", "https"):
            raise ValueError(f"map_url_template {value!r}: write an http or https address")
        return value

    @property
    def web_url(self) -> str:
        """Where the web chat is reached: the public address, else the listen address."""
        return self.public_url or f"http://{self.web_host}:{self.web_port}"

    @field_validator("clock_start", "clock_origin")
    @classmethod
    def _aware_start(cls, value: dt.datetime | None, info: ValidationInfo) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(f"{info.field_name} needs a UTC offset, like 2026-11-20T10:00+08:00")
        return value

    def clock(self) -> Clock:
        """The clock the bot runs on: the wall clock, or one started at ``clock_start``.

        A ``clock_speed`` or ``clock_origin`` makes it a scaled clock: the same on every
        worker given the same values.
        """
        if self.clock_start is None:
            if self.clock_speed != 1.0:
                raise ValueError("clock_speed needs clock_start")
            return SystemClock()
        if self.clock_speed == 1.0 and self.clock_origin is None:
            return ShiftedClock(self.clock_start)
        origin = self.clock_origin or SystemClock().now()
        return ScaledClock(self.clock_start, speed=self.clock_speed, origin=origin)

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

    @field_validator(
        "meeting_reminders",
        "meeting_nudge",
        "rate_reminders",
        "unassigned_after",
        "overdue_staff_after",
    )
    @classmethod
    def _durations(cls, value: str) -> str:
        parse_durations(value)
        return value

    @field_validator("minimum_reminder_days")
    @classmethod
    def _days(cls, value: str) -> str:
        days = [int(part) for part in value.split(",") if part.strip()]
        if not days or any(not 0 < day <= 90 for day in days):
            raise ValueError("minimum_reminder_days: days from 1 to 90, like 14,3")
        return value

    @property
    def reminders(self) -> ReminderSettings:
        """When reminders fall due, as configured."""
        from services.reminders.settings import ReminderSettings

        return ReminderSettings(
            meeting_before=parse_durations(self.meeting_reminders),
            nudge_before=parse_durations(self.meeting_nudge)[0],
            minimum_days_before_end=tuple(
                int(part) for part in self.minimum_reminder_days.split(",") if part.strip()
            ),
            rate_after=parse_durations(self.rate_reminders),
            unassigned_after=parse_durations(self.unassigned_after)[0],
            overdue_staff_after=parse_durations(self.overdue_staff_after)[0],
        )

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
    def telegram_api(self) -> TelegramAPIServer:
        """The Bot API server the Telegram client talks to."""
        if not self.telegram_api_url:
            return PRODUCTION
        return TelegramAPIServer.from_base(self.telegram_api_url, is_local=self.telegram_api_local)

    @property
    def wechat_enabled(self) -> bool:
        """Whether the service account channel is configured."""
        return bool(self.wechat_app_id and self.wechat_app_secret and self.wechat_token)

    @property
    def wecom_enabled(self) -> bool:
        """Whether the WeCom channel is configured."""
        return bool(
            self.wecom_corp_id
            and self.wecom_agent_id
            and self.wecom_secret
            and self.wecom_token
            and self.wecom_aes_key
        )

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

    @property
    def demo_database(self) -> str:
        """The URL of the demo's own database."""
        return self.demo_database_url or f"sqlite+aiosqlite:///{self.data_dir / 'demo.db'}"
