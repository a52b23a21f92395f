"""Configuration: YAML with ${VAR} interpolation, validated once at start-up.

The key names are a public contract (README "Configuration"); add keys freely, rename none.
Unknown keys are refused so that a typo in production config fails loudly at start instead of
silently falling back to a default.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from functools import cached_property
from types import UnionType
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from handlers.hours import parse_hours, parse_time
from settlement.config import unknown_key
from settlement.money import decimal_setting

if TYPE_CHECKING:
    from handlers.sla import SlaConfig
    from handlers.service_templates import ServiceTemplate
    from settlement.ledger_config import LedgerConfig

DEFAULT_CONFIG_ENV = "WECOM_DESK_CONFIG"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(Exception):
    """One line naming the key path and the problem; the CLI prints it and exits 2."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerConfig(_Model):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    public_url: str = ""
    timestamp_tolerance_s: int = Field(300, ge=1)
    max_body_bytes: int = Field(65536, ge=1024)
    reply_deadline_ms: int = Field(1500, ge=10, le=4500)
    api_token: str = ""


class DatabaseConfig(_Model):
    url: str = "sqlite+aiosqlite:///var/wecom-desk.db"
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _driver(cls, v: str) -> str:
        if not (v.startswith("sqlite+aiosqlite://") or v.startswith("postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return v


class RedisConfig(_Model):
    url: str = ""
    prefix: str = "wecom-desk:"


def _check_aes_key(v: str) -> str:
    import base64
    import binascii

    if len(v) != 43:
        raise ValueError("EncodingAESKey must be 43 characters")
    try:
        if len(base64.b64decode(v + "=", validate=True)) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")
    except binascii.Error:
        raise ValueError("EncodingAESKey is not base64") from None
    return v


class AppConfig(_Model):
    agent_id: int = 1000002
    secret: str = ""
    token: str
    encoding_aes_key: str

    _aes = field_validator("encoding_aes_key")(classmethod(lambda cls, v: _check_aes_key(v)))


class BotConfig(_Model):
    token: str
    encoding_aes_key: str
    names: list[str] = Field(default_factory=lambda: ["小鲸"])

    _aes = field_validator("encoding_aes_key")(classmethod(lambda cls, v: _check_aes_key(v)))


class KfAccount(_Model):
    open_kfid: str = Field(min_length=1, max_length=64)
    name: str = ""


class KfConfig(_Model):
    """微信客服: customers outside the company write from plain WeChat (bots reach internal
    groups only). The app (wecom.app) must be allowed to call the kf API in WeCom's console."""
    accounts: list[KfAccount] = Field(default_factory=list)
    # A store's QR code is the account's link with `scene_param` set: the customer is that store's.
    scenes: dict[str, str] = Field(default_factory=dict)   # scene_param → the store group's chatid
    poll_s: float = Field(60, gt=0)   # the worker also reads each account this often (a read cut short)


class WeComConfig(_Model):
    corp_id: str
    api_base: str = ""
    # Sign-in to the desk's pages (bot/web/session.py): WeCom's web authorisation inside WeCom's
    # browser, its web login (QR) elsewhere. Empty: WeCom's own hosts, or the sandbox when it is on.
    oauth_base: str = ""
    login_base: str = ""
    api_timeout_s: float = Field(5, gt=0)
    app: AppConfig
    bot: BotConfig
    kf: KfConfig = KfConfig()


class MailConfig(_Model):
    """Email, the fallback when chat is quiet: the morning digest of notices quiet hours held, and
    escalations also by mail. Off while `smtp_host` is empty."""
    smtp_host: str = ""
    smtp_port: int = Field(587, ge=1, le=65535)
    starttls: bool = True              # STARTTLS on a plain port (587); `tls` for implicit TLS (465)
    tls: bool = False
    username: str = ""
    password: str = ""
    sender: str = "wecom-desk <desk@localhost>"
    timeout_s: float = Field(10, gt=0)


class SmsConfig(_Model):
    """SMS for escalations when WeCom may go unread. `log` writes each message to the log (the
    sandbox, a trial); a real gateway is a provider class in bot/sms.py."""
    provider: Literal["none", "log"] = "none"


class WebConfig(_Model):
    """The desk's pages (board, ticket, insights) for managers and admins, signed in through WeCom."""
    session_ttl_s: int = Field(8 * 3600, ge=300, le=30 * 24 * 3600)   # a signed-in browser stays signed in this long
    refresh_s: float = Field(5, gt=0, le=300)      # the board asks for changes this often


class SandboxConfig(_Model):
    enabled: bool = False
    # Start the sandbox even off loopback, with wecom.api_base set or with real secrets (bot/app.py
    # `guard_sandbox` refuses those otherwise). Anyone who reaches the port can then act as anyone.
    allow_unsafe: bool = False


class WorkerConfig(_Model):
    in_process: bool = True
    poll_interval_s: float = Field(0.2, gt=0)
    batch_size: int = Field(20, ge=1)
    max_attempts: int = Field(8, ge=1)
    backoff_base_s: float = Field(0.5, ge=0)
    backoff_max_s: float = Field(60, ge=0)
    lease_s: float = Field(30, gt=0)
    webhook_per_minute: int = Field(20, ge=1)
    app_per_member_minute: int = Field(30, ge=1)
    app_per_member_hour: int = Field(1000, ge=1)
    gather_s: float = Field(0.01, ge=0)
    timer_interval_s: float = Field(1.0, gt=0)


class NluConfig(_Model):
    backend: Literal["embedded", "rasa", "llm"] = "embedded"
    # The embedded parser in this many processes of its own (nlu/pooled.py): a parse is
    # milliseconds of CPU that would otherwise hold every other callback on the event loop.
    # 0 = parse on the loop (one process, less memory: no second copy of the model).
    processes: int = Field(0, ge=0, le=16)
    # A false ticket pages an engineer: a report the model gives less than `confirm_below` is
    # confirmed with the writer first, and so is "nothing for us" when a report is at least
    # `ask_above` likely.
    confirm_below: float = Field(0.7, ge=0, le=1.01)
    ask_above: float = Field(0.25, ge=0, le=1)
    rasa_url: str = ""
    timeout_ms: int = Field(800, ge=1)
    # backend llm: an OpenAI-compatible chat-completions server. The key is read from the
    # environment variable named here, never from this file.
    llm_url: str = ""  # base URL, e.g. http://127.0.0.1:8000/v1 (POST {llm_url}/chat/completions)
    llm_model: str = ""
    llm_api_key_env: str = "WECOM_DESK_LLM_API_KEY"
    llm_timeout_ms: int = Field(1000, ge=1, le=4500)  # the whole call; then the embedded parser answers
    llm_cache_size: int = Field(1024, ge=0)  # answers kept per normalised text (0 = no cache)

    @field_validator("llm_api_key_env")
    @classmethod
    def _env_name(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v):  # the message never repeats the value: it may be a key
            raise ValueError("must name an environment variable (put the key itself in that variable)")
        return v

    @model_validator(mode="after")
    def _llm_needs(self) -> "NluConfig":
        if self.backend == "llm":
            for key, hint in (("llm_url", "the server's base URL, e.g. http://127.0.0.1:8000/v1"),
                              ("llm_model", "the model name the server serves")):
                if not getattr(self, key).strip():
                    raise ValueError(f"backend llm needs {key} ({hint})")
            if not self.llm_url.startswith(("http://", "https://")):
                raise ValueError("llm_url must start with http:// or https://")
        return self


TRANSLATION_PROVIDERS = ("google", "baidu", "deepl", "libre", "microsoft", "mymemory", "off")


class TranslationConfig(_Model):
    """Machine translation of free text through deep-translator (bot/translate.py, bot/translators.py)."""
    provider: Literal["google", "baidu", "deepl", "libre", "microsoft", "mymemory", "off"] = "google"
    base_url: str = ""   # "" = the provider's own endpoint (with the sandbox on: the sandbox's stand-in)
    timeout_s: float = Field(3.0, gt=0)
    key_env: str = ""    # the environment variable holding the key (baidu's appkey; deepl, libre, microsoft)
    appid: str = ""      # baidu: the app id (not a secret)
    region: str = ""     # microsoft: the Azure resource's region, when it is not global
    # Terms no provider may touch: store names, part codes, brand and model names. Ticket numbers,
    # amounts, part codes and the configured store, city and region names are kept without listing.
    glossary: list[str] = Field(default_factory=list)

    @field_validator("key_env")
    @classmethod
    def _key_env_name(cls, v: str) -> str:
        if v and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v):  # never echo the value: it may be a key
            raise ValueError("must name an environment variable (put the key itself in that variable)")
        return v

    @model_validator(mode="after")
    def _provider_needs(self) -> "TranslationConfig":
        if self.provider in ("baidu", "deepl", "microsoft") and not self.key_env:
            raise ValueError(f"provider {self.provider} needs key_env (the environment variable holding its key)")
        if self.provider == "baidu" and not self.appid.strip():
            raise ValueError("provider baidu needs appid")
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return self


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class S3Config(_Model):
    """An S3-compatible bucket for `attachments.backend: s3` (AWS S3, MinIO, Ceph RGW, R2, OSS …).
    The keys are read from the environment variables named here, never from this file."""
    endpoint_url: str = ""     # "" = AWS's own endpoint for `region`; else e.g. http://minio:9000
    bucket: str = ""
    region: str = "us-east-1"
    prefix: str = ""           # keys are stored as {prefix}{key}, e.g. "attachments/"
    access_key_env: str = ""   # the environment variable holding the access key id
    secret_key_env: str = ""   # the environment variable holding the secret access key
    addressing_style: Literal["auto", "path", "virtual"] = "auto"   # MinIO and most stand-ins want path
    connect_timeout_s: float = Field(5.0, gt=0, le=60)
    read_timeout_s: float = Field(15.0, gt=0, le=300)

    @field_validator("access_key_env", "secret_key_env")
    @classmethod
    def _env_name(cls, v: str) -> str:
        if v and not _ENV_NAME.fullmatch(v):   # never echo the value: it may be a key
            raise ValueError("must name an environment variable (put the key itself in that variable)")
        return v

    @field_validator("endpoint_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("endpoint_url must start with http:// or https://")
        return v.rstrip("/")


class AttachmentsConfig(_Model):
    """Photos a store adds on its report page (bot/report_form.py) and photos and files sent in
    chat (bot/media.py, `max_bytes` each), shown on the ticket page."""
    backend: Literal["local", "s3"] = "local"   # local: files in `dir`; s3: objects in `s3.bucket`
    dir: str = Field("var/attachments", min_length=1)
    s3: S3Config = Field(default_factory=S3Config)
    max_files: int = Field(3, ge=0, le=10)   # 0 = the form has no photo field
    max_bytes: int = Field(5 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)

    @model_validator(mode="after")
    def _s3_needs(self) -> "AttachmentsConfig":
        if self.backend == "s3":
            for key, hint in (("bucket", "the bucket's name"),
                              ("access_key_env", "the environment variable holding the access key id"),
                              ("secret_key_env", "the environment variable holding the secret access key")):
                if not getattr(self.s3, key).strip():
                    raise ValueError(f"backend s3 needs s3.{key} ({hint})")
        return self


class ConversationConfig(_Model):
    ttl_s: int = Field(600, ge=1)


class AppointmentsConfig(_Model):
    """Visit slots an engineer proposes and the store confirms (handlers/appointments.py)."""
    duration_min: int = Field(120, ge=15, le=1440)    # how long a proposed slot lasts
    remind_before_min: int = Field(60, ge=1)         # the reminder to engineer and store, this long before
    max_days_ahead: int = Field(14, ge=1)            # a proposal more calendar days ahead is refused
    booked_window_h: float = Field(4, ge=0)          # routing: a confirmed slot within now…+N h takes one job's room


# How a name is written in each language's script: the alias a reader of that language can read.
_SCRIPT = {"th": re.compile(r"[\u0E00-\u0E7F][\u0E00-\u0E7F .]*"),
           "latin": re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ' .-]*")}


def localized(name: str, names: dict[str, str], alternatives: list[str], lang: str | None) -> str:
    """A place, store, region or skill name for a reader: its name in their language; else, in
    their script, the first alias written in it ("กรุงเทพฯ", "Shanghai"), not an abbreviation;
    else the English name; else the configured one."""
    lang = lang or "zh"
    base = lang.split("-")[0]
    for key in (lang, base):
        if key in names:
            return names[key]
    if base == "zh":
        return name
    script = _SCRIPT["th" if base == "th" else "latin"]
    readable = [a for a in alternatives if script.fullmatch(a) and not (a.isupper() and len(a) <= 4)]
    if base == "th" and readable:
        return readable[0]
    if "en" in names:
        return names["en"]
    latin = [a for a in alternatives if _SCRIPT["latin"].fullmatch(a) and not (a.isupper() and len(a) <= 4)]
    return latin[0] if latin else name


def _known_languages(v: dict[str, str]) -> dict[str, str]:
    from handlers.messages import languages

    known = [*languages(), "zh-Hant"]
    unknown = sorted(set(v) - set(known))
    if unknown:
        raise ValueError(f"names in unknown languages {unknown}; known: {known}")
    return v


class _Named(_Model):
    """Something readers see by name, with the name in other languages (`names: {en: …, th: …}`)."""
    name: str
    names: dict[str, str] = Field(default_factory=dict)

    @field_validator("names")
    @classmethod
    def _names_known(cls, v: dict[str, str]) -> dict[str, str]:
        return _known_languages(v)

    def _alternatives(self) -> list[str]:
        return list(getattr(self, "aliases", []))

    def name_in(self, lang: str | None) -> str:
        return localized(self.name, self.names, self._alternatives(), lang)


class City(_Named):
    aliases: list[str] = Field(default_factory=list)


class Region(_Named):
    code: str
    aliases: list[str] = Field(default_factory=list)
    currency: str = "CNY"
    language: str = "zh"
    tax_rate: str = "0"
    timezone: str = "Asia/Shanghai"
    multiplier: str = "1"
    cities: list[City] = Field(default_factory=list)
    # Extra per-region data later issues use (price lists); kept as plain data here.
    prices: dict[str, Any] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}") from None
        return v

    @field_validator("tax_rate", "multiplier", mode="before")
    @classmethod
    def _decimal_text(cls, v: Any) -> str:
        decimal_setting(v)
        return str(v)


class Skill(_Named):
    code: str
    synonyms: list[str] = Field(default_factory=list)


Role = Literal["customer", "engineer", "manager", "admin"]


class PersonConfig(_Model):
    userid: str
    name: str
    roles: list[Role] = Field(default_factory=lambda: ["customer"])
    skills: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    city: str | None = None
    languages: list[str] = Field(default_factory=lambda: ["zh"])
    aliases: list[str] = Field(default_factory=list)   # what colleagues call them in chat: "สมชาย", "Lucas"
    capacity: int = Field(3, ge=0)
    timezone: str | None = None        # default: the time zone of the person's first region
    working_hours: str | None = None   # "08:00-20:00" in their time zone; default: routing.working_hours
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")   # digests, escalations
    mobile: str | None = Field(None, pattern=r"^\+?[0-9 -]{6,20}$")   # escalations by SMS
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")   # amounts also shown in it; default: first region's

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, v: str | None) -> str | None:
        if v is not None:
            parse_hours(v)
        return v


class RoutingConfig(_Model):
    working_hours: str = "00:00-24:00"  # engineers' default duty hours, in their own time zone
    neighbours: dict[str, list[str]] = Field(default_factory=dict)  # region → regions to widen to
    head_of_service: list[str] = Field(default_factory=list)  # last step of every escalation chain
    candidates_per_query: int = Field(20, ge=1)
    # A report for a store and skill that already has an open ticket is added to it (one tap
    # opens a separate one); false: every report opens its own ticket.
    attach_repeat_reports: bool = True

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, v: str) -> str:
        parse_hours(v)
        return v


class QuietHoursConfig(_Model):
    start: str = "22:00"  # non-urgent notices to staff wait until `end`, in the reader's time zone
    end: str = "08:00"
    enabled: bool = True

    @field_validator("start", "end")
    @classmethod
    def _time(cls, v: str) -> str:
        parse_time(v)
        return v


class EscalationConfig(_Model):
    repeat_after_min: int = Field(30, ge=1)  # breach still unresolved → next level after this long
    csat_alert_at_or_below: int = Field(2, ge=1, le=5)


class GroupConfig(_Model):
    chatid: str
    name: str
    store: str | None = None   # a customer group's store as its customers name it (greetings to WeChat customers)
    store_names: dict[str, str] = Field(default_factory=dict)   # the store's name in other languages

    @field_validator("store_names")
    @classmethod
    def _store_names_known(cls, v: dict[str, str]) -> dict[str, str]:
        return _known_languages(v)

    def store_in(self, lang: str | None) -> str | None:
        """A store is called by its own name unless a name in the reader's language is given."""
        lang = lang or "zh"
        return self.store_names.get(lang) or self.store_names.get(lang.split("-")[0]) or self.store
    kind: Literal["customer", "dispatch"] = "customer"
    region: str | None = None
    city: str | None = None
    language: str = "zh"
    webhook_key: str = ""


class PartConfig(_Model):
    """A spare part in the catalog (`parts.catalog`): its code, its name per language (and other
    words people use for it), and its unit price per currency as a decimal string."""
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    names: dict[str, str] = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    skill: str | None = None
    prices: dict[str, str] = Field(default_factory=dict)   # currency → "180.00"
    floor: int | None = Field(None, ge=0)   # this part's own reorder floor (default: parts.reorder.floor)

    _names = field_validator("names")(classmethod(lambda cls, v: _known_languages(v)))

    @field_validator("prices", mode="before")
    @classmethod
    def _prices(cls, v: Any) -> dict[str, str]:
        from settlement.money import exact_minor

        out = {}
        for currency, amount in (v or {}).items():
            if not re.fullmatch(r"[A-Z]{3}", str(currency)):
                raise ValueError(f"{currency!r} is not a currency code (e.g. CNY)")
            exact_minor(str(amount), str(currency), f"price in {currency}")
            out[str(currency)] = str(amount)
        return out

    def name_in(self, lang: str | None) -> str:
        return localized(self.names.get("zh") or next(iter(self.names.values())), self.names, self.aliases, lang)

    def price_minor(self, currency: str) -> int | None:
        from settlement.money import exact_minor

        return exact_minor(self.prices[currency], currency) if currency in self.prices else None


class WarehouseConfig(_Named):
    """A warehouse (`parts.warehouses`): the regions it serves, its city, where to pick up, and
    whom to alert when a part runs low (a group's chatid with a webhook, and/or a keeper's userid)."""
    code: str = Field(min_length=1, max_length=32)
    regions: list[str] = Field(min_length=1)
    city: str | None = None
    address: str = ""
    keeper_chat: str | None = None
    keeper: str | None = None


class ReorderConfig(_Model):
    """threshold = max(floor, ceil(units consumed in the last window_days / window_days × lead_days))."""
    window_days: int = Field(30, ge=1)
    lead_days: int = Field(7, ge=0)
    floor: int = Field(1, ge=0)


class PartsConfig(_Model):
    catalog: list[PartConfig] = Field(default_factory=list)
    warehouses: list[WarehouseConfig] = Field(default_factory=list)
    reorder: ReorderConfig = ReorderConfig()

    def part(self, code: str | None) -> PartConfig | None:
        return next((p for p in self.catalog if p.code == code), None)

    def warehouse(self, code: str | None) -> WarehouseConfig | None:
        return next((w for w in self.warehouses if w.code == code), None)

    def check(self, cfg: "Config") -> None:
        """References to regions, cities, skills, groups and people (a cross-reference error names its path)."""
        for field, items in (("catalog", self.catalog), ("warehouses", self.warehouses)):
            seen: set[str] = set()
            for i, item in enumerate(items):
                if item.code in seen:
                    raise ValueError(f"parts.{field}.{i}.code: duplicate {item.code!r}")
                seen.add(item.code)
        for i, p in enumerate(self.catalog):
            if p.skill and cfg.skill(p.skill) is None:
                raise ValueError(f"parts.catalog.{i}.skill: unknown skill {p.skill!r}")
        for i, w in enumerate(self.warehouses):
            for r in w.regions:
                if cfg.region(r) is None:
                    raise ValueError(f"parts.warehouses.{i}.regions: unknown region {r!r}")
            if w.city and cfg.region_of_city(w.city) is None:
                raise ValueError(f"parts.warehouses.{i}.city: unknown city {w.city!r}")
            if w.keeper_chat and cfg.group(w.keeper_chat) is None:
                raise ValueError(f"parts.warehouses.{i}.keeper_chat: unknown group {w.keeper_chat!r}")
            if w.keeper and cfg.person(w.keeper) is None:
                raise ValueError(f"parts.warehouses.{i}.keeper: unknown person {w.keeper!r}")


# Top-level sections whose owner is another module: settlement/ (money), handlers/templates.py
# (the service catalog), handlers/sla.py (promises). The root model names them, so that an
# unknown or misspelt key is refused, and hands them raw to their owner, which parses them once
# (`Config.ledger`, `.service_templates`, `.sla`) when the config is loaded.
OWNED_SECTIONS = ("rounding", "reporting_currency", "plans", "split_rules", "fx_rates", "surcharges",
                  "templates", "template_defaults", "calendars", "sla_policies", "default_policy", "accounts",
                  "price_lists", "joint_squads", "travel_allowances", "payment_terms")


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    server: ServerConfig = ServerConfig()
    database: DatabaseConfig = DatabaseConfig()
    redis: RedisConfig = RedisConfig()
    wecom: WeComConfig
    sandbox: SandboxConfig = SandboxConfig()
    web: WebConfig = WebConfig()
    mail: MailConfig = MailConfig()
    sms: SmsConfig = SmsConfig()
    worker: WorkerConfig = WorkerConfig()
    nlu: NluConfig = NluConfig()
    conversation: ConversationConfig = ConversationConfig()
    appointments: AppointmentsConfig = AppointmentsConfig()
    translation: TranslationConfig = TranslationConfig()
    attachments: AttachmentsConfig = AttachmentsConfig()
    routing: RoutingConfig = RoutingConfig()
    quiet_hours: QuietHoursConfig = QuietHoursConfig()
    escalation: EscalationConfig = EscalationConfig()
    regions: list[Region] = Field(default_factory=list)
    skills: list[Skill] = Field(default_factory=list)
    people: list[PersonConfig] = Field(default_factory=list)
    groups: list[GroupConfig] = Field(default_factory=list)
    parts: PartsConfig = PartsConfig()   # spare parts: catalog, warehouses, reorder rule (handlers/parts.py)
    # Raw, parsed by their owners (see OWNED_SECTIONS).
    rounding: Any = None
    reporting_currency: Any = None
    plans: Any = None
    split_rules: Any = None
    fx_rates: Any = None
    surcharges: Any = None
    templates: Any = None
    template_defaults: Any = None
    calendars: Any = None
    sla_policies: Any = None
    default_policy: Any = None
    accounts: Any = None
    price_lists: Any = None         # settlement/price_lists.py
    joint_squads: Any = None        # settlement/branches.py
    travel_allowances: Any = None   # settlement/travel.py
    payment_terms: Any = None       # settlement/terms.py

    @model_validator(mode="after")
    def _references(self) -> "Config":
        region_codes = {r.code for r in self.regions}
        skill_codes = {s.code for s in self.skills}
        cities = {c.name for r in self.regions for c in r.cities}
        for field, items, key in (("regions", self.regions, "code"), ("skills", self.skills, "code"),
                                  ("people", self.people, "userid"), ("groups", self.groups, "chatid")):
            seen: set[str] = set()
            for i, item in enumerate(items):
                value = getattr(item, key)
                if value in seen:
                    raise ValueError(f"{field}.{i}.{key}: duplicate {value!r}")
                seen.add(value)
        for i, p in enumerate(self.people):
            for s in p.skills:
                if s not in skill_codes:
                    raise ValueError(f"people.{i}.skills: unknown skill {s!r}")
            for r in p.regions:
                if r not in region_codes:
                    raise ValueError(f"people.{i}.regions: unknown region {r!r}")
            if p.city and p.city not in cities:
                raise ValueError(f"people.{i}.city: unknown city {p.city!r}")
        for i, p in enumerate(self.people):
            if p.timezone:
                try:
                    Region._tz(p.timezone)  # type: ignore[call-arg]
                except ValueError as e:
                    raise ValueError(f"people.{i}.timezone: {e}") from None
        for code, near in self.routing.neighbours.items():
            for r in (code, *near):
                if r not in region_codes:
                    raise ValueError(f"routing.neighbours.{code}: unknown region {r!r}")
        for u in self.routing.head_of_service:
            if u not in {p.userid for p in self.people}:
                raise ValueError(f"routing.head_of_service: unknown person {u!r}")
        chatids = {g.chatid for g in self.groups}
        for scene, chatid in self.wecom.kf.scenes.items():
            if chatid not in chatids:
                raise ValueError(f"wecom.kf.scenes.{scene}: unknown group {chatid!r}")
        for i, g in enumerate(self.groups):
            if g.region and g.region not in region_codes:
                raise ValueError(f"groups.{i}.region: unknown region {g.region!r}")
            if g.city and g.city not in cities:
                raise ValueError(f"groups.{i}.city: unknown city {g.city!r}")
        self.parts.check(self)
        self._check_joint_squads(chatids)
        return self

    def _check_joint_squads(self, chatids: set[str]) -> None:
        """A joint squad's people and dispatch group are the desk's to know (settlement/branches.py
        parses the rest of the section and says what is wrong with its shape)."""
        people = {p.userid: p for p in self.people}
        for i, squad in enumerate(self.joint_squads if isinstance(self.joint_squads, list) else []):
            if not isinstance(squad, dict):
                continue
            chat = squad.get("dispatch_group")
            if chat is not None and chat not in chatids:
                raise ValueError(f"joint_squads.{i}.dispatch_group: unknown group {chat!r}")
            for j, userid in enumerate(squad.get("engineers") or [] if isinstance(squad.get("engineers"), list) else []):
                if userid not in people:
                    raise ValueError(f"joint_squads.{i}.engineers.{j}: unknown person {userid!r}")
                if "engineer" not in people[userid].roles:
                    raise ValueError(f"joint_squads.{i}.engineers.{j}: {userid!r} is not an engineer")

    # -- lookups used on the hot path (built lazily, config is frozen) --------------------------
    def region(self, code: str | None) -> Region | None:
        return next((r for r in self.regions if r.code == code), None)

    def region_of_city(self, city: str | None) -> Region | None:
        return next((r for r in self.regions if any(c.name == city for c in r.cities)), None)

    # Looked up several times per message: by key, not by scanning a directory of thousands.
    @cached_property
    def _people_by_id(self) -> dict[str, PersonConfig]:
        return {p.userid: p for p in reversed(self.people)}   # reversed: the first entry wins, as before

    @cached_property
    def _groups_by_id(self) -> dict[str, GroupConfig]:
        return {g.chatid: g for g in reversed(self.groups)}

    def person(self, userid: str | None) -> PersonConfig | None:
        return self._people_by_id.get(userid) if userid is not None else None

    def group(self, chatid: str | None) -> GroupConfig | None:
        return self._groups_by_id.get(chatid) if chatid is not None else None

    def skill(self, code: str | None) -> Skill | None:
        return next((s for s in self.skills if s.code == code), None)

    def timezone_of(self, userid: str | None) -> str:
        """A reader's time zone: their own, else their first region's, else the first region's."""
        p = self.person(userid)
        if p and p.timezone:
            return p.timezone
        region = self.region(p.regions[0]) if p and p.regions else None
        region = region or (self.regions[0] if self.regions else None)
        return region.timezone if region else "Asia/Shanghai"

    def managers_of(self, region: str | None) -> list[PersonConfig]:
        return [p for p in self.people if "manager" in p.roles and region in p.regions]

    def whole(self) -> dict[str, Any]:
        """The config as plain data, as the section owners read it: owned sections that were not
        written are left out (absent, not null), exactly as in the file."""
        data = self.model_dump(mode="json")
        for key in OWNED_SECTIONS:
            if key not in self.model_fields_set:
                data.pop(key, None)
        return data

    @cached_property
    def ledger(self) -> "LedgerConfig":
        """Prices, splits, plans, FX, periods and accounts: the one parse of the money sections."""
        from settlement.ledger_config import LedgerConfig

        return LedgerConfig.from_mapping(self.whole())

    @property
    def priced(self) -> bool:
        """Jobs are priced when the config has a service catalog or plans."""
        return "templates" in self.model_fields_set or "plans" in self.model_fields_set

    @cached_property
    def service_templates(self) -> "list[ServiceTemplate]":
        from handlers.service_templates import parse_templates

        return parse_templates(self.whole(), {s.code for s in self.skills})

    @cached_property
    def sla(self) -> "SlaConfig | None":
        from handlers.sla import SlaConfig

        return SlaConfig.from_mapping(self.whole()) if self.sla_policies else None

    @property
    def api_base(self) -> str:
        """WeCom API base: explicit value, else the sandbox mounted on this server."""
        if self.wecom.api_base:
            return self.wecom.api_base.rstrip("/")
        if self.sandbox.enabled:
            return f"http://{_connect_host(self.server.host)}:{self.server.port}/sandbox"
        return "https://qyapi.weixin.qq.com"


    @property
    def translation_terms(self) -> tuple[str, ...]:
        """What no translation may change: the glossary and every store's name."""
        return (*self.translation.glossary, *(g.store for g in self.groups if g.store),
                *(name for g in self.groups for name in g.store_names.values()))

    def _wecom_host(self, configured: str, real: str) -> str:
        if configured:
            return configured.rstrip("/")
        if self.sandbox.enabled:
            return (self.server.public_url.rstrip("/")
                    or f"http://{_connect_host(self.server.host)}:{self.server.port}") + "/sandbox"
        return real

    @property
    def oauth_base(self) -> str:
        """Where WeCom's web authorisation lives (connect/oauth2/authorize)."""
        return self._wecom_host(self.wecom.oauth_base, "https://open.weixin.qq.com")

    @property
    def login_base(self) -> str:
        """Where WeCom's web login (QR code) lives (wwlogin/sso/login)."""
        return self._wecom_host(self.wecom.login_base, "https://login.work.weixin.qq.com")

    @property
    def translation_url(self) -> str:
        if self.translation.base_url:
            return self.translation.base_url
        if self.sandbox.enabled:
            # The sandbox's stand-in for the chosen provider (bot/sandbox/translators.py).
            path = "m" if self.translation.provider == "google" else self.translation.provider
            return f"http://{_connect_host(self.server.host)}:{self.server.port}/sandbox/translate/{path}"
        return ""


def _connect_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host


def interpolate(value: Any, env: dict[str, str] | None = None) -> Any:
    """Replace ${VAR} / ${VAR:-default} in every string of a parsed YAML tree."""
    env = os.environ if env is None else env
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        name, default = m.group(1), m.group(2)
        if name in env and env[name] != "":
            return env[name]
        if default is not None:
            return default
        missing.append(name)
        return ""

    out = _VAR.sub(sub, value)
    if missing:
        raise ConfigError(f"environment variable {missing[0]} is not set (and has no default)")
    # A whole-value substitution like `${PORT:-8080}` should become a number/bool, as YAML would.
    if _VAR.fullmatch(value.strip()):
        try:
            value = yaml.safe_load(out) if out != "" else ""
        except yaml.YAMLError:
            return out
        # Decimal-looking values (rates, amounts) stay text: money is never a float.
        return value if isinstance(value, (bool, int)) else out
    return out


def _path_of(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(root)"


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys the model at `loc` (a path into Config) accepts, for "did you mean"."""
    node: Any = Config
    for part in loc:
        while get_origin(node) in (list, dict, Union, UnionType) or get_args(node) and not isinstance(node, type):
            args = [a for a in get_args(node) if a is not type(None)]
            if not args:
                return []
            node = args[-1]
        if isinstance(part, int):
            continue
        fields = getattr(node, "model_fields", None)
        if not fields or part not in fields:
            return []
        node = fields[part].annotation
    while get_args(node) and not isinstance(node, type):
        node = [a for a in get_args(node) if a is not type(None)][-1]
    return list(getattr(node, "model_fields", {}))


def _unknown_key(loc: tuple[Any, ...]) -> str:
    return unknown_key(str(loc[-1]), _fields_at(loc[:-1]))


def parse_config(data: Any, env: dict[str, str] | None = None) -> Config:
    if not isinstance(data, dict):
        raise ConfigError("the config file must be a YAML mapping")
    data = interpolate(data, env)
    try:
        cfg = Config.model_validate(data)
        # Sections parsed by their owners, now: a bad price or SLA stops the start with one line
        # instead of failing a customer later.
        cfg.ledger, cfg.service_templates, cfg.sla  # noqa: B018
        return cfg
    except ValidationError as e:
        err = e.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        path = _path_of(err["loc"])
        if err["type"] == "extra_forbidden":
            raise ConfigError(f"{path}: {_unknown_key(tuple(err['loc']))}") from None
        # Cross-reference errors carry their own path in the message.
        if msg.split(":", 1)[0].count(".") and path == "(root)":
            raise ConfigError(msg) from None
        raise ConfigError(f"{path}: {msg}") from None
    except ValueError as e:  # a section owner's one-line error (it names its key path)
        raise ConfigError(str(e)) from None


def load_config(path: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> Config:
    env_map = os.environ if env is None else env
    path = path or env_map.get(DEFAULT_CONFIG_ENV) or "config.yaml"
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read config file {str(p)!r}: {e.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{p}: invalid YAML{where}") from None
    return parse_config(data, env)
