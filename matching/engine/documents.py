"""Plain data classes going into and coming out of the engine (no Django)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

Language = Literal["zh", "en"]
RegionPreference = Literal["any", "domestic", "cross_border"]
Money = Decimal | float | int


@dataclass(frozen=True, slots=True)
class TechnologyDocument:
    """A technology listing (科技成果) as the engine sees it. Money is CNY."""

    id: str
    language: str
    title: str
    summary: str = ""
    description: str = ""
    category: str | None = None
    keywords: Sequence[str] = ()
    trl: int | None = None
    transaction_modes: Sequence[str] = ()
    asking_price: Money | None = None
    region: str | None = None
    holder_type: str | None = None
    holder_verified: bool | None = None
    # Completed deals of the holder on the platform; None when unknown.
    holder_completed_deals: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TechnologyDocument:
        """Build from a jsonl row (``asking_price_cny``) or an equivalent dict."""
        return cls(
            id=str(data["id"]),
            language=data.get("language") or "zh",
            title=data.get("title") or "",
            summary=data.get("summary") or "",
            description=data.get("description") or "",
            category=data.get("category"),
            keywords=tuple(data.get("keywords") or ()),
            trl=data.get("trl"),
            transaction_modes=tuple(data.get("transaction_modes") or ()),
            asking_price=data.get("asking_price", data.get("asking_price_cny")),
            region=data.get("region"),
            holder_type=data.get("holder_type"),
            holder_verified=data.get("holder_verified"),
            holder_completed_deals=data.get("holder_completed_deals"),
        )


@dataclass(frozen=True, slots=True)
class NeedDocument:
    """An enterprise technology need (技术需求). Money is CNY; category may be null."""

    id: str
    language: str
    title: str
    description: str = ""
    category: str | None = None
    keywords: Sequence[str] = ()
    trl_min: int | None = None
    budget_max: Money | None = None
    transaction_modes: Sequence[str] = ()
    region: str | None = None
    region_preference: RegionPreference = "any"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NeedDocument:
        """Build from a jsonl row (``budget_cny_max``) or an equivalent dict."""
        return cls(
            id=str(data["id"]),
            language=data.get("language") or "zh",
            title=data.get("title") or "",
            description=data.get("description") or "",
            category=data.get("category"),
            keywords=tuple(data.get("keywords") or ()),
            trl_min=data.get("trl_min"),
            budget_max=data.get("budget_max", data.get("budget_cny_max")),
            transaction_modes=tuple(data.get("transaction_modes") or ()),
            region=data.get("region"),
            region_preference=data.get("region_preference") or "any",
        )


@dataclass(frozen=True, slots=True)
class ComponentScore:
    """One named part of a match score with its "why this match" line in both languages."""

    score: float
    weight: float
    reason_zh: str
    reason_en: str

    def to_dict(self) -> dict[str, float | str]:
        return {
            "score": round(self.score, 4),
            "weight": self.weight,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
        }


@dataclass(frozen=True, slots=True)
class ConstraintViolation:
    """A failed hard constraint: the match is demoted, not hidden."""

    code: Literal["trl_below_minimum", "price_over_budget", "no_shared_transaction_mode"]
    message_zh: str
    message_en: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    """A scored need/technology pair; the same pair scores the same in both directions."""

    need_id: str
    technology_id: str
    score: float
    components: dict[str, ComponentScore] = field(default_factory=dict)
    constraint_violations: tuple[ConstraintViolation, ...] = ()

    @property
    def demoted(self) -> bool:
        return bool(self.constraint_violations)

    @property
    def reasons_zh(self) -> list[str]:
        return [component.reason_zh for component in self.components.values()]

    @property
    def reasons_en(self) -> list[str]:
        return [component.reason_en for component in self.components.values()]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for storing on a Match row."""
        return {
            "need_id": self.need_id,
            "technology_id": self.technology_id,
            "score": round(self.score, 2),
            "components": {name: part.to_dict() for name, part in self.components.items()},
            "constraint_violations": [
                {
                    "code": violation.code,
                    "message_zh": violation.message_zh,
                    "message_en": violation.message_en,
                }
                for violation in self.constraint_violations
            ],
        }
