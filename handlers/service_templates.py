"""Service templates (预制项目库): what a job needs, how it is dispatched, its SLA and workflow.

The config's `templates:` entries are shared with settlement (which reads `pricing`); this module
reads the desk's keys. `template_defaults:` fills what an entry leaves out.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from settlement.money import decimal_setting

FIELD_KEYS = ("city", "store", "description", "equipment", "contact")


class FieldDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    required: bool = False

    @field_validator("key")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in FIELD_KEYS:
            raise ValueError(f"unknown field {v!r} (one of {', '.join(FIELD_KEYS)})")
        return v


class Approval(BaseModel):
    """A custom workflow step: completion above `above` (the job's total, in its currency) waits
    for someone with `role` in the ticket's region to approve it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    above: str
    role: Literal["manager", "admin"] = "manager"

    @field_validator("above", mode="before")
    @classmethod
    def _amount(cls, v: Any) -> str:
        decimal_setting(v)
        return str(v)


class ServiceTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    skill: str
    pricing: dict[str, Any] | None = None  # settlement/config.py validates it (the price's owner)
    names: dict[str, str] = Field(default_factory=dict)
    fields: list[FieldDef] = Field(default_factory=lambda: [FieldDef(key="city", required=True)])
    dispatch: Literal["offer", "assign"] = "offer"
    offer_k: int = Field(3, ge=1, le=50)
    offer_timeout_s: int = Field(300, ge=10)
    sla: str | None = None
    approval: Approval | None = None
    # Completion needs at least one after-photo (sent with "完工", handlers/photos.py).
    require_after_photos: bool = False

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("en") or self.names.get("zh") or self.code

    def content(self) -> dict[str, Any]:
        content = self.model_dump(mode="json")
        if not self.require_after_photos:   # left out when off: templates stored before it keep their hash
            content.pop("require_after_photos")
        return content

    def content_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.content(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def parse_templates(extra: dict[str, Any], skills: set[str]) -> list[ServiceTemplate]:
    """Validate `templates` (+ `template_defaults`); errors name the key path, like handlers.config."""
    defaults = extra.get("template_defaults") or {}
    raw = extra.get("templates") or []
    if not isinstance(raw, list):
        raise ValueError("templates: must be a list")
    out: list[ServiceTemplate] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise ValueError(f"templates.{i}: must be a mapping")
        try:
            tpl = ServiceTemplate.model_validate({**defaults, **entry})
        except ValidationError as e:
            err = e.errors()[0]
            path = ".".join(str(p) for p in err["loc"])
            raise ValueError(f"templates.{i}.{path}: {err['msg'].removeprefix('Value error, ')}") from None
        if tpl.skill not in skills:
            raise ValueError(f"templates.{i}.skill: unknown skill {tpl.skill!r}")
        if tpl.code in seen:
            raise ValueError(f"templates.{i}.code: duplicate {tpl.code!r}")
        seen.add(tpl.code)
        out.append(tpl)
    return out


class ServiceCatalog:
    """The templates in force. Which version is active lives in the database (a rollback from the
    CLI must reach every serve process), so heads are re-read at most every `ttl` seconds."""

    def __init__(self, defs: list[ServiceTemplate], ttl: float = 5.0) -> None:
        self.defs = {d.code: d for d in defs}
        self.by_skill: dict[str, str] = {}
        for d in defs:
            self.by_skill.setdefault(d.skill, d.code)
        self.ttl = ttl
        self._heads: dict[str, tuple[int, ServiceTemplate]] = {}
        self._loaded = 0.0

    def invalidate(self) -> None:
        self._loaded = 0.0

    async def active(self, session: Any, code: str) -> tuple[int, ServiceTemplate] | None:
        from storage import service_templates as store

        if time.monotonic() - self._loaded > self.ttl:
            self._heads = {c: (v, ServiceTemplate.model_validate(content))
                           for c, v, content in await store.active_all(session)}
            self._loaded = time.monotonic()
        return self._heads.get(code)

    async def for_skill(self, session: Any, skill: str) -> tuple[int, ServiceTemplate] | None:
        code = self.by_skill.get(skill)
        return await self.active(session, code) if code else None
