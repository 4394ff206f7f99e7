"""Tree: the part of a reporting tree worth drawing, from a root, a few levels deep.

Pure polars on queries.executive_tree's frame (one row per position, with the executive it
reports to). A department's tree (the Ministry of Defence has over 600 executive positions) is
never drawn whole: `visible` keeps the chosen root (or the top of the tree) and a few levels
under it, at most MAX_CHILDREN direct reports per position (flagged ones first) and at most
MAX_NODES in all, and says per drawn position how many below it were left out. The tree is
drawn left to right, one line per position, so MAX_NODES bounds its height: the Ministry of
Defence's draws about 1,500 px tall, nearly at its natural size (tests/test_dashboard_e2e.py
checks it is at most 2,000 px tall and not scaled below 0.8). Each step is a join per level,
never a loop over rows.
"""

from __future__ import annotations

import polars as pl

MAX_NODES = 28
MAX_CHILDREN = 6
DEFAULT_DEPTH = 1


def _children(tree: pl.DataFrame, parents: pl.DataFrame) -> pl.DataFrame:
    """Return the rows of the tree that report to one of the parents."""
    return tree.join(parents.select(pl.col("position_id").alias("manager_position_id")),
                     on="manager_position_id", how="semi")


def _tops(tree: pl.DataFrame) -> pl.DataFrame:
    """Return the rows whose manager is not in the tree (no manager, or not an executive)."""
    ids = tree.select(pl.col("position_id").alias("manager_position_id"))
    return tree.join(ids, on="manager_position_id", how="anti")


def depths(tree: pl.DataFrame) -> pl.DataFrame:
    """Return position_id and its depth below the top (0); a position in a loop is left out."""
    level = _tops(tree).select("position_id")
    found, seen, depth = [level.with_columns(pl.lit(0).alias("depth"))], level, 0
    while not level.is_empty():
        depth += 1
        level = _children(tree, level).select("position_id").join(seen, on="position_id",
                                                                   how="anti")
        seen = pl.concat([seen, level])
        found.append(level.with_columns(pl.lit(depth).alias("depth")))
    return pl.concat(found)


def subtree_sizes(tree: pl.DataFrame) -> pl.DataFrame:
    """Return position_id and below: how many positions report to it, directly or not."""
    levelled = tree.select("position_id", "manager_position_id").join(depths(tree),
                                                                      on="position_id")
    sizes = levelled.with_columns(pl.lit(0, dtype=pl.Int64).alias("below"))
    for depth in range(int(levelled["depth"].max() or 0), 0, -1):
        upward = (sizes.filter(pl.col("depth") == depth)
                  .group_by("manager_position_id").agg((pl.col("below") + 1).sum().alias("add"))
                  .rename({"manager_position_id": "position_id"}))
        sizes = sizes.join(upward, on="position_id", how="left").with_columns(
            (pl.col("below") + pl.col("add").fill_null(0)).alias("below")).drop("add")
    return sizes.select("position_id", "below")


def visible(tree: pl.DataFrame, root: str | None = None,
            depth: int = DEFAULT_DEPTH) -> pl.DataFrame:
    """Return the positions to draw, each with not_drawn: how many below it are not drawn.

    not_drawn counts the direct reports left out and everyone under them.

    ``root``: the position to start from (None: every position that reports to no executive
    of the tree). Adds is_flagged (count_flags > 0) when the tree carries count_flags.
    """
    ranked = tree.with_columns(
        (pl.col("count_flags").fill_null(0) > 0 if "count_flags" in tree.columns
         else pl.lit(False)).alias("is_flagged"))
    chosen = root is not None and root in set(ranked["position_id"])
    level = (ranked.filter(pl.col("position_id") == root) if chosen else _tops(ranked))
    shown = level.head(MAX_NODES)
    for _ in range(depth):
        level = (_children(ranked, shown.tail(level.height))
                 .join(shown.select("position_id"), on="position_id", how="anti")
                 .sort(["is_flagged", "position_id"], descending=[True, False])
                 .filter(pl.int_range(pl.len()).over("manager_position_id") < MAX_CHILDREN))
        level = level.head(MAX_NODES - shown.height)  # what the budget still allows
        if level.is_empty():
            break
        shown = pl.concat([shown, level], how="diagonal_relaxed")
    if chosen:  # the root is drawn at the top, whoever it reports to
        shown = shown.with_columns(pl.when(pl.col("position_id") == root).then(None)
                                   .otherwise(pl.col("manager_position_id"))
                                   .alias("manager_position_id"))
    sizes = subtree_sizes(ranked)
    left_out = (_children(ranked, shown).join(shown.select("position_id"), on="position_id",
                                              how="anti")
                .join(sizes, on="position_id", how="left")
                .group_by("manager_position_id")
                .agg((pl.col("below").fill_null(0) + 1).sum().alias("not_drawn"))
                .rename({"manager_position_id": "position_id"}))
    return shown.join(left_out, on="position_id", how="left").with_columns(
        pl.col("not_drawn").fill_null(0))
