"""The frameworks' types: sources, bands, streams, factors, rules and the Victorian work
value tool, as frozen dataclasses that pipeline.frameworks fills from data/frameworks."""

from dataclasses import dataclass


class FrameworkError(ValueError):
    """A framework file is missing, or its content contradicts itself."""


@dataclass(frozen=True)
class Source:
    """The document a framework file encodes."""

    title: str
    publisher: str
    seed: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Stream:
    """A functional work stream and the spellings agencies use for it."""

    code: str
    name: str
    aliases: tuple[str, ...]
    summary: str


@dataclass(frozen=True)
class Band:
    """A classification level of a framework, with its crosswalk tier."""

    code: str
    name: str
    tier: str
    distinguishing: tuple[str, ...]
    planning_horizon_years_min: float | None = None
    planning_horizon_years_max: float | None = None
    planning_horizon_note: str | None = None
    typical_titles: tuple[str, ...] = ()
    work_level_tier: int | None = None
    division: str | None = None
    allowed_streams: tuple[str, ...] = ()


@dataclass(frozen=True)
class Factor:
    """A work value factor; ``column`` is its determination extract column."""

    column: str
    name: str
    summary: str


@dataclass(frozen=True)
class Dimension:
    """A heading under which a work level standard describes each band."""

    code: str
    name: str
    summary: str
    group: str | None = None


@dataclass(frozen=True)
class Tier:
    """A WA work level tier: the classifications it holds and their crosswalk tier."""

    tier: int
    classifications: tuple[str, ...]
    crosswalk_tier: str


@dataclass(frozen=True)
class Principles:
    """What work value excludes, and the words that signal each side of the line."""

    work_value_excludes: tuple[str, ...]
    workload_terms: tuple[str, ...]
    work_value_terms: tuple[str, ...]
    scope_evidence_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Element:
    """An element of the SES Performance Leadership Framework."""

    code: str
    name: str
    summary: str


@dataclass(frozen=True)
class MaturityLevel:
    """A level of the Performance Leadership Framework's maturity model."""

    level: int
    name: str
    summary: str


@dataclass(frozen=True)
class Rule:
    """A rule a framework states about ratings, as data."""

    rule_id: str
    summary: str
    overall_may_not_exceed: str | None = None
    concern_below: str | None = None


@dataclass(frozen=True)
class Framework:
    """One framework file; parts a document does not have are empty."""

    id: str
    jurisdictions: tuple[str, ...]
    source: Source
    scoring_tool: str | None = None
    streams: tuple[Stream, ...] = ()
    bands: tuple[Band, ...] = ()
    factors: tuple[Factor, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    tiers: tuple[Tier, ...] = ()
    below_tier_note: str | None = None
    principles: Principles | None = None
    elements: tuple[Element, ...] = ()
    maturity_levels: tuple[MaturityLevel, ...] = ()
    rating_scale: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class StreamAlias:
    """One accepted spelling of a stream in one jurisdiction, as a match key."""

    jurisdiction: str
    alias_key: str
    stream_code: str


@dataclass(frozen=True)
class ScoreScale:
    """The per-factor scores the Victorian tool allows."""

    full_fit_scores: tuple[int, ...]
    partial_fit_scores: tuple[int, ...]
    minimum: int
    maximum: int


@dataclass(frozen=True)
class ToolFactor:
    """A factor of the Victorian tool, in determination column order."""

    column: str
    name: str


@dataclass(frozen=True)
class PointsBand:
    """The total points range of one band."""

    tier: str
    name: str
    min_points: int
    max_points: int


@dataclass(frozen=True)
class GuidePoint:
    """A published worked example: the same score on every factor and where it lands."""

    score_every_factor: int
    total: int
    tier: str


@dataclass(frozen=True)
class WorkValueTool:
    """The Victorian work value assessment tool: scale, factors, band ranges and guide."""

    source: Source
    scale: ScoreScale
    factors: tuple[ToolFactor, ...]
    bands: tuple[PointsBand, ...]
    guide: tuple[GuidePoint, ...]

    @property
    def scale_minimum(self) -> int:
        """Return the lowest score a factor may take."""
        return self.scale.minimum

    @property
    def scale_maximum(self) -> int:
        """Return the highest score a factor may take."""
        return self.scale.maximum

    def allowed_scores(self) -> tuple[int, ...]:
        """Return every score a factor may take, lowest first."""
        return tuple(sorted({*self.scale.full_fit_scores, *self.scale.partial_fit_scores}))

    def band_for_points(self, total: int) -> str | None:
        """Return the tier of the band whose points range holds ``total``, or None."""
        for band in self.bands:
            if band.min_points <= total <= band.max_points:
                return band.tier
        return None
