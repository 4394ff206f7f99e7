"""The SQL catalog: every model and rule under sql/, what each reads, and the order to build them.

A model is a select in sql/<layer>/<name>.sql that becomes the table <name>. What it reads is
taken from the SQL itself (sqlglot parses it as DuckDB SQL: the tables it reads, less its own
CTE names), or from a `-- reads: a, b` header line where the parse cannot see an input. The
build order of a layer is derived from those inputs (a topological sort), so no order is kept
by hand. A rule (sql/rules/<rule_id>.sql) is a model too, whose file opens with its metadata
header (RULE_KEYS); its thresholds are its entry in data/rules.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from graphlib import TopologicalSorter
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from pipeline.settings import SQL_DIR, data_file, sql_text
from pipeline.severity import SEVERITIES

HEADER_LINE = re.compile(r"--\s*([a-z_]+):\s?(.*)")
RULE_KEYS = ("rule", "title", "source", "finds", "severities", "when", "magnitude", "evidence",
             "grain")  # the header of a rule file, in this order; `source` may be "project"
LIST_KEYS = ("severities", "evidence", "reads")
RULES_FILE = "rules.toml"


class CatalogError(ValueError):
    """A SQL file whose header or inputs the catalog cannot read."""


def read_header(text: str) -> dict[str, str]:
    """Return the `-- key: value` lines that open a SQL file (a value may run on `--   ` lines)."""
    header: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        match = HEADER_LINE.fullmatch(line.strip())
        if match:
            last = match.group(1)
            header[last] = match.group(2).strip()
        elif last is not None and line.startswith("--   "):
            header[last] += " " + line[2:].strip()
        else:
            break
    return header


def header_list(value: str) -> tuple[str, ...]:
    """Return a header value written as a comma-separated list."""
    return tuple(item.strip() for item in value.split(",") if item.strip())


@cache
def tables_read(query: str) -> frozenset[str]:
    """Return the tables a query reads: every table it names, less its own CTE names.

    A CTE named after the table it selects from (`with positions as (select * from positions)`,
    the import CTEs of house style) reads that table: a table named inside the body of the CTE
    of the same name is an input, unless the CTE is recursive (a union under `with recursive`).
    """
    tree = sqlglot.parse_one(query, read="duckdb")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    found = set()
    for table in tree.find_all(exp.Table):
        if not table.name:
            continue
        enclosing = table.find_ancestor(exp.CTE)
        if table.name not in ctes or (enclosing is not None
                                      and enclosing.alias_or_name == table.name
                                      and not _is_recursive(enclosing)):
            found.add(table.name)
    return frozenset(found)


def _is_recursive(cte: exp.CTE) -> bool:
    """Return whether a CTE refers to itself: a union under `with recursive`."""
    return bool(cte.parent.args.get("recursive")) and isinstance(cte.this, exp.Union)


MODEL_LAYERS = ("intermediate", "marts")  # built here; staging is built per batch by load
RULES_LAYER = "rules"


@dataclass(frozen=True)
class Model:
    """A select under sql/ that becomes the table named after its file."""

    name: str
    path: str  # relative to sql/
    reads: frozenset[str]

    @property
    def layer(self) -> str:
        """Return the model's layer: the folder it sits in."""
        return self.path.split("/", 1)[0]

    @property
    def query(self) -> str:
        """Return the model's SQL."""
        return sql_text(self.path)


@dataclass(frozen=True)
class Rule:
    """One consistency rule: its header's metadata and its thresholds from data/rules.toml."""

    rule_id: str
    title: str
    source: str
    finds: str
    severities: tuple[str, ...]
    when: str
    magnitude: str
    evidence: tuple[str, ...]
    grain: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """Return the rule's query file, relative to sql/."""
        return f"{RULES_LAYER}/{self.rule_id}.sql"

    @property
    def query(self) -> str:
        """Return the rule's SQL query."""
        return sql_text(self.path)


def is_select(text: str) -> bool:
    """Return whether a SQL file is a model (a query), not a statement such as create."""
    return isinstance(sqlglot.parse_one(text, read="duckdb"), exp.Query)


@cache
def models() -> dict[str, Model]:
    """Return every model of the model layers and the rules, by table name."""
    found: dict[str, Model] = {}
    for layer in (*MODEL_LAYERS, RULES_LAYER):
        for path in sorted((SQL_DIR / layer).glob("*.sql")):
            text = path.read_text(encoding="utf-8")
            if not is_select(text):
                continue
            declared = set(header_list(read_header(text).get("reads", "")))
            found[path.stem] = Model(path.stem, f"{layer}/{path.name}",
                                     frozenset(tables_read(text) | declared))
    return found


def build_order(names: set[str]) -> list[str]:
    """Return the named models in an order in which each comes after every model it reads.

    Ties keep name order, so the order is the same on every run.
    """
    catalog = models()
    graph = {name: {read for read in catalog[name].reads if read in names} for name in names}
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return order


def upstream(names: set[str]) -> set[str]:
    """Return the named models and every model they read, directly or not."""
    catalog = models()
    seen: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending += [read for read in catalog[name].reads if read in catalog]
    return seen


def rule_ids() -> list[str]:
    """Return the id of every rule: the query files under sql/rules/, in name order."""
    return sorted(path.stem for path in (SQL_DIR / RULES_LAYER).glob("*.sql"))


def rules() -> tuple[Rule, ...]:
    """Return every rule: its file's header and its thresholds (data/rules.toml), in id order.

    Raise CatalogError for a header that lacks a key or names an unknown severity, and for a
    data/rules.toml entry with no query file.
    """
    thresholds = data_file(RULES_FILE)
    unknown = sorted(set(thresholds) - set(rule_ids()))
    if unknown:
        raise CatalogError(f"data/{RULES_FILE} has thresholds for rules with no query file"
                           f" under sql/rules/: {', '.join(unknown)}")
    return tuple(_rule(rule_id, thresholds.get(rule_id, {})) for rule_id in rule_ids())


def _rule(rule_id: str, parameters: dict[str, Any]) -> Rule:
    """Return one rule from its query file's header and its thresholds."""
    path = f"{RULES_LAYER}/{rule_id}.sql"
    header = read_header(sql_text(path))
    missing = [key for key in RULE_KEYS if not header.get(key)]
    if missing:
        raise CatalogError(f"sql/{path}: the header lacks {', '.join(missing)}"
                           f" (a rule file opens with -- {': ... / -- '.join(RULE_KEYS)}: ...)")
    if header["rule"] != rule_id:
        raise CatalogError(f"sql/{path}: the header names rule {header['rule']!r}")
    severities = header_list(header["severities"])
    if not severities or not set(severities) <= set(SEVERITIES):
        raise CatalogError(f"sql/{path}: severities must be some of {', '.join(SEVERITIES)}")
    return Rule(rule_id=rule_id, title=header["title"], source=header["source"],
                finds=header["finds"], severities=severities, when=header["when"],
                magnitude=header["magnitude"], evidence=header_list(header["evidence"]),
                grain=header["grain"], parameters=dict(parameters))


def build(connection: duckdb.DuckDBPyConnection, names: list[str], *,
          temporary: bool = False) -> None:
    """Rebuild each named model as a table named after it, in the order given.

    A temporary model lives only while this connection does: one that only later stages of the
    run read need not be written into the warehouse (at ten million positions, 5 s less).
    """
    catalog = models()
    for name in names:
        if temporary:
            connection.execute(f"drop table if exists main.{name}")  # kept by older versions
        kind = "temp table" if temporary else "table"
        connection.execute(f"create or replace {kind} {name} as {catalog[name].query}")


def _rule_names() -> set[str]:
    """Return the names of the rule models."""
    return {name for name, model in models().items() if model.layer == RULES_LAYER}


def scoring_models() -> list[str]:
    """Return, in build order, the marts the rules read and every model they read (score)."""
    catalog = models()
    read_by_rules = {read for name in _rule_names() for read in catalog[name].reads
                     if read in catalog and catalog[read].layer == "marts"}
    return build_order(upstream(read_by_rules))


def support_models() -> list[str]:
    """Return, in build order, the other models the rules read (built by the check stage)."""
    rules = _rule_names()
    return build_order(upstream(rules) - rules - set(scoring_models()))


def kept_support_models() -> list[str]:
    """Return, in build order, the support models a mart reads too: the check stage writes them
    and the models they read into the warehouse (int_position_layers, which agency_structure
    reads, and the walk it is made from: at ten million positions DuckDB must be able to evict
    their pages), before the other support models, which are temporary tables. Each is built
    once per run."""
    catalog = models()
    read_by_marts = {read for name in _mart_names() for read in catalog[name].reads}
    return [name for name in support_models() if name in read_by_marts]


def _mart_names() -> set[str]:
    """Return the models neither scoring nor the rules need."""
    return set(models()) - upstream(_rule_names())


def mart_models() -> list[str]:
    """Return, in build order, every model neither scoring nor the rules need (marts); the
    support models they read are built by the check stage before them (kept_support_models)."""
    return build_order(_mart_names())
