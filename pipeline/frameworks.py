"""Typed, cached access to the classification and performance frameworks under data/frameworks.

Every band, stream, factor, range and term lives in the TOML files; this module only reads them.
Framework files are the ones with a ``[framework]`` table; ``vic_work_value_tool.toml`` holds the
Victorian points scale and band ranges and is read by :func:`work_value_tool`.
"""

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.framework_types import (
    Band,
    Dimension,
    Element,
    Factor,
    Framework,
    FrameworkError,
    GuidePoint,
    MaturityLevel,
    PointsBand,
    Principles,
    Rule,
    ScoreScale,
    Source,
    Stream,
    StreamAlias,
    Tier,
    ToolFactor,
    WorkValueTool,
)
from pipeline.settings import DATA_DIR

FRAMEWORKS_DIR = DATA_DIR / "frameworks"
WORK_VALUE_TOOL_FILE = FRAMEWORKS_DIR / "vic_work_value_tool.toml"
WA_FRAMEWORK_ID = "wa_ecm"
PLF_FRAMEWORK_ID = "aps_ses_plf"

_NOT_KEY_CHARS = re.compile(r"[^A-Z0-9]")

Table = dict[str, Any]


def alias_key(text: str) -> str:
    """Return ``text`` upper-cased with everything but letters and digits removed."""
    return _NOT_KEY_CHARS.sub("", text.upper())


def _read_toml(path: Path) -> Table:
    """Return the parsed content of a TOML file, or raise FrameworkError if it is absent."""
    if not path.is_file():
        raise FrameworkError(f"framework file not found: {path}")
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _source(table: Table) -> Source:
    """Return the ``[source]`` table as a Source."""
    return Source(
        title=table["title"],
        publisher=table["publisher"],
        seed=table.get("seed"),
        reference=table.get("reference"),
    )


def _stream(table: Table) -> Stream:
    """Return one ``[[streams]]`` entry as a Stream."""
    return Stream(
        code=table["code"],
        name=table["name"],
        aliases=tuple(table.get("aliases", ())),
        summary=table["summary"],
    )


def _band(table: Table) -> Band:
    """Return one ``[[bands]]`` entry as a Band."""
    return Band(
        code=table["code"],
        name=table["name"],
        tier=table["tier"],
        distinguishing=tuple(table.get("distinguishing", ())),
        planning_horizon_years_min=table.get("planning_horizon_years_min"),
        planning_horizon_years_max=table.get("planning_horizon_years_max"),
        planning_horizon_note=table.get("planning_horizon_note"),
        typical_titles=tuple(table.get("typical_titles", ())),
        work_level_tier=table.get("work_level_tier"),
        division=table.get("division"),
        allowed_streams=tuple(table.get("allowed_streams", ())),
    )


def _principles(table: Table | None) -> Principles | None:
    """Return the ``[principles]`` table as Principles, or None where a file has none."""
    if table is None:
        return None
    return Principles(
        work_value_excludes=tuple(table.get("work_value_excludes", ())),
        workload_terms=tuple(table.get("workload_terms", ())),
        work_value_terms=tuple(table.get("work_value_terms", ())),
        scope_evidence_terms=tuple(table.get("scope_evidence_terms", ())),
    )


def _rules(table: Table) -> tuple[Rule, ...]:
    """Return the ``[rules.*]`` tables as Rules, in file order."""
    return tuple(
        Rule(
            rule_id=rule_id,
            summary=body["summary"],
            overall_may_not_exceed=body.get("overall_may_not_exceed"),
            concern_below=body.get("concern_below"),
        )
        for rule_id, body in table.items()
    )


def _framework(data: Table) -> Framework:
    """Return a parsed framework file as a Framework."""
    meta = data["framework"]
    return Framework(
        id=meta["id"],
        jurisdictions=tuple(meta["jurisdictions"]),
        source=_source(data["source"]),
        scoring_tool=meta.get("scoring_tool"),
        streams=tuple(_stream(t) for t in data.get("streams", ())),
        bands=tuple(_band(t) for t in data.get("bands", ())),
        factors=tuple(
            Factor(column=t["column"], name=t["name"], summary=t["summary"])
            for t in data.get("factors", ())
        ),
        dimensions=tuple(
            Dimension(code=t["code"], name=t["name"], summary=t["summary"], group=t.get("group"))
            for t in data.get("dimensions", ())
        ),
        tiers=tuple(
            Tier(
                tier=t["tier"],
                classifications=tuple(t["classifications"]),
                crosswalk_tier=t["crosswalk_tier"],
            )
            for t in data.get("tiers", ())
        ),
        below_tier_note=data.get("below_tier_5", {}).get("note"),
        principles=_principles(data.get("principles")),
        elements=tuple(
            Element(code=t["code"], name=t["name"], summary=t["summary"])
            for t in data.get("elements", ())
        ),
        maturity_levels=tuple(
            MaturityLevel(level=t["level"], name=t["name"], summary=t["summary"])
            for t in data.get("maturity_levels", ())
        ),
        rating_scale=tuple(data.get("ratings", {}).get("scale", ())),
        rules=_rules(data.get("rules", {})),
    )


@cache
def load_framework(framework_id: str) -> Framework:
    """Return the framework stored in ``data/frameworks/<framework_id>.toml``."""
    data = _read_toml(FRAMEWORKS_DIR / f"{framework_id}.toml")
    if "framework" not in data:
        raise FrameworkError(f"{framework_id}.toml has no [framework] table")
    framework = _framework(data)
    if framework.id != framework_id:
        raise FrameworkError(f"{framework_id}.toml declares id {framework.id!r}")
    return framework


@cache
def framework_ids() -> tuple[str, ...]:
    """Return the ids of every framework file (those with a [framework] table), sorted."""
    return tuple(
        path.stem
        for path in sorted(FRAMEWORKS_DIR.glob("*.toml"))
        if "framework" in _read_toml(path)
    )


@cache
def all_frameworks() -> tuple[Framework, ...]:
    """Return every framework, sorted by id."""
    return tuple(load_framework(framework_id) for framework_id in framework_ids())


def _alias_rows(items: tuple[Framework, ...]) -> tuple[StreamAlias, ...]:
    """Return one StreamAlias per (jurisdiction, alias key); raise on conflicting keys."""
    rows: dict[tuple[str, str], StreamAlias] = {}
    for framework in items:
        for jurisdiction in framework.jurisdictions:
            for stream in framework.streams:
                for spelling in (*stream.aliases, stream.name, stream.code):
                    key = alias_key(spelling)
                    row = StreamAlias(jurisdiction, key, stream.code)
                    if rows.setdefault((jurisdiction, key), row) != row:
                        raise FrameworkError(
                            f"{jurisdiction} alias {key!r} names two streams: "
                            f"{rows[(jurisdiction, key)].stream_code} and {stream.code}"
                        )
    return tuple(rows.values())


@cache
def _stream_alias_rows() -> tuple[StreamAlias, ...]:
    """Return the alias rows of every framework, computed once."""
    return _alias_rows(all_frameworks())


def stream_aliases() -> list[StreamAlias]:
    """Return every (jurisdiction, alias key, stream code) row the frameworks define."""
    return list(_stream_alias_rows())


def streams_for(jurisdiction: str) -> tuple[Stream, ...]:
    """Return the streams of the jurisdiction's frameworks; empty for an unknown jurisdiction."""
    return tuple(
        stream
        for framework in all_frameworks()
        if jurisdiction in framework.jurisdictions
        for stream in framework.streams
    )


@cache
def work_value_tool() -> WorkValueTool:
    """Return the Victorian work value assessment tool read from vic_work_value_tool.toml."""
    data = _read_toml(WORK_VALUE_TOOL_FILE)
    scale = data["scale"]
    return WorkValueTool(
        source=_source(data["source"]),
        scale=ScoreScale(
            full_fit_scores=tuple(scale["full_fit_scores"]),
            partial_fit_scores=tuple(scale["partial_fit_scores"]),
            minimum=scale["minimum"],
            maximum=scale["maximum"],
        ),
        factors=tuple(ToolFactor(column=t["column"], name=t["name"]) for t in data["factors"]),
        bands=tuple(
            PointsBand(
                tier=t["tier"],
                name=t["name"],
                min_points=t["min_points"],
                max_points=t["max_points"],
            )
            for t in data["bands"]
        ),
        guide=tuple(
            GuidePoint(score_every_factor=t["score_every_factor"], total=t["total"], tier=t["tier"])
            for t in data["guide"]
        ),
    )


def _wa_principles() -> Principles:
    """Return the WA methodology's principles, or raise FrameworkError if the file has none."""
    principles = load_framework(WA_FRAMEWORK_ID).principles
    if principles is None:
        raise FrameworkError(f"{WA_FRAMEWORK_ID}.toml has no [principles] table")
    return principles


def workload_terms() -> tuple[str, ...]:
    """Return the lower-case words and phrases that signal a workload or volume rationale."""
    return _wa_principles().workload_terms


def work_value_terms() -> tuple[str, ...]:
    """Return the lower-case words and phrases that signal a genuine work value argument."""
    return _wa_principles().work_value_terms


def scope_evidence_terms() -> tuple[str, ...]:
    """Return the lower-case phrases that cite scope evidence (FTE, budgets, delegations)."""
    return _wa_principles().scope_evidence_terms


def rating_scale() -> tuple[str, ...]:
    """Return the SES performance rating scale, lowest rating first."""
    return load_framework(PLF_FRAMEWORK_ID).rating_scale


def behaviour_offset_rule() -> Rule:
    """Return the PLF's rule that outcomes cannot offset behavioural concerns."""
    rules = {rule.rule_id: rule for rule in load_framework(PLF_FRAMEWORK_ID).rules}
    rule = rules.get("behaviour_outcome_offset")
    if rule is None or rule.overall_may_not_exceed is None or rule.concern_below is None:
        raise FrameworkError(f"{PLF_FRAMEWORK_ID}.toml: [rules.behaviour_outcome_offset] needs"
                             " overall_may_not_exceed and concern_below")
    if rule.concern_below not in rating_scale():
        raise FrameworkError(f"{PLF_FRAMEWORK_ID}.toml: concern_below {rule.concern_below!r}"
                             " is not a rating of the scale")
    return rule


def maturity_elements() -> tuple[str, ...]:
    """Return the Performance Leadership Framework's element codes, in framework order."""
    return tuple(element.code for element in load_framework(PLF_FRAMEWORK_ID).elements)
