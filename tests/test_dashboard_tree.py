"""The reporting tree's drawn part (dashboards/tree.py): root, depth, collapsed branches."""

from __future__ import annotations

import polars as pl

from dashboards import tree


def chain_and_fan() -> pl.DataFrame:
    """Return a tree: T heads A and B; A heads A1..A15 (A3 flagged); A1 heads A1x; C loops."""
    ids = ["T", "A", "B", *(f"A{n}" for n in range(1, 16)), "A1x", "C1", "C2"]
    managers = [None, "T", "T", *(["A"] * 15), "A1", "C2", "C1"]
    flags = [1 if position == "A3" else 0 for position in ids]
    return pl.DataFrame({"position_id": ids, "manager_position_id": managers,
                         "count_flags": flags})


def test_sizes_count_everyone_below_and_leave_a_loop_out() -> None:
    sizes = dict(tree.subtree_sizes(chain_and_fan()).rows())
    assert (sizes["T"], sizes["A"], sizes["A1"], sizes["B"]) == (18, 16, 1, 0)
    assert "C1" not in sizes  # a loop has no top: depths() never reaches it


def test_two_levels_from_the_top_with_at_most_six_reports_each() -> None:
    shown = tree.visible(chain_and_fan(), None, 2)
    drawn = shown["position_id"].to_list()
    assert drawn[:3] == ["T", "A", "B"]
    # A's fifteen: A3 first (flagged), then by id, six in all
    assert drawn[3:] == ["A3", "A1", "A10", "A11", "A12", "A13"]
    assert tree.MAX_CHILDREN == 6
    not_drawn = dict(shown.select("position_id", "not_drawn").rows())
    # A: nine of its reports left out; A1: its one report is a third level down
    assert (not_drawn["T"], not_drawn["A"], not_drawn["A1"]) == (0, 9, 1)
    assert shown.filter(pl.col("is_flagged"))["position_id"].to_list() == ["A3"]
    assert shown.height + shown["not_drawn"].sum() == 19  # T and the 18 below it


def test_a_chosen_root_is_drawn_at_the_top() -> None:
    shown = tree.visible(chain_and_fan(), "A1", 3)
    assert shown.select("position_id", "manager_position_id").rows() == [
        ("A1", None), ("A1x", "A1")]


def test_a_wide_tree_is_cut_to_the_node_budget_with_every_position_counted() -> None:
    """Forty tops of six reports each: MAX_NODES drawn, the rest counted on the tops drawn."""
    tops = [f"T{n:02d}" for n in range(40)]
    reports = [f"{top}-{n}" for top in tops for n in range(6)]
    wide = pl.DataFrame({"position_id": tops + reports,
                         "manager_position_id": [None] * 40 + [r.split("-")[0] for r in reports],
                         "count_flags": [0] * 280})
    shown = tree.visible(wide, None, 2)
    assert shown.height == tree.MAX_NODES == 28  # the first 28 tops fill the budget
    assert shown["position_id"].to_list() == tops[:28]
    assert shown["not_drawn"].to_list() == [6] * 28
