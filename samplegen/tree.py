"""The sample's workforce: one reporting tree per fictional agency, built layer by layer.

The result is the union of both snapshots: one row per position that exists in either, with
`in_first` / `in_latest` saying where. Branches created in the latest snapshot and branches
abolished since the earlier one are whole subtrees, so each snapshot is itself a tree.
Loops run over agencies and layers only; every layer is drawn with numpy in one go.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from samplegen.frameworks import Frameworks

INHERIT_STREAM = 0.7  # chance an executive keeps the stream of the executive above it
INHERIT_FUNCTION = 0.5  # chance it also keeps the same function
LEAF_CHURN = 0.02  # share of leaf staff positions new in / abolished before the latest snapshot
SPAN_SPREAD = 0.3  # log-normal sigma of how many reports a manager gets relative to peers


@dataclass
class Layer:
    """The positions of one built layer, as parents of the next."""

    uid: np.ndarray
    stream: np.ndarray
    function: np.ndarray
    weight: np.ndarray
    guarantee: np.ndarray
    branch: np.ndarray
    is_head: bool


def scaled_counts(agency: dict[str, Any], layers: list[list[str]], fw: Frameworks,
                  scale: float) -> list[int]:
    """Return positions per layer at `scale`: executive layers never shrink below scale 1."""
    counts = []
    for i, (base, codes) in enumerate(zip(agency["counts"], layers, strict=True)):
        executive = fw.grade(codes[0]).executive
        if i == 0 or base == 0:
            counts.append(min(base, 1) if i == 0 else 0)
        elif executive:
            counts.append(max(base, round(base * scale)))
        else:
            counts.append(max(1, round(base * scale)))
    return counts


def _spread(n: int, weight: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return `n` parent indices shared out in proportion to `weight` (largest remainders)."""
    quota = n * weight / weight.sum()
    count = np.floor(quota).astype(int)
    short = n - int(count.sum())
    if short > 0:
        frac = quota - count
        count[rng.choice(len(weight), short, replace=False, p=frac / frac.sum())] += 1
    return rng.permutation(np.repeat(np.arange(len(weight)), count))


def _assign_parents(n: int, parents: Layer, leaf: bool,
                    rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """Return each child's parent index in the parent layer, and how many leading children are
    guaranteed (the rest are extra): one to every managing parent, and a second where the layer
    has enough children, so that a manager of a well-designed structure leads two or more."""
    weight = parents.weight if parents.weight.sum() > 0 else parents.guarantee.astype(float)
    guaranteed = np.flatnonzero(parents.guarantee) if not leaf else np.array([], dtype=int)
    if n <= len(guaranteed):
        return rng.choice(guaranteed, n, replace=False), n
    second = guaranteed[parents.weight[guaranteed] > 0]  # not the specialists' one-person teams
    second = rng.choice(second, min(len(second), n - len(guaranteed)), replace=False)
    both = np.concatenate([guaranteed, second])
    return np.concatenate([both, _spread(n - len(both), weight, rng)]), len(both)


def _draw_streams(n: int, agency: dict[str, Any], fw: Frameworks,
                  rng: np.random.Generator) -> np.ndarray:
    """Return `n` stream keys drawn with the agency kind's weights among its ladder's streams."""
    allowed = fw.config["ladders"][agency["jurisdiction"]]["streams"]
    weights = fw.config["stream_weights"][agency["kind"]]
    p = np.array([weights[s] for s in allowed], dtype=float)
    return rng.choice(np.array(allowed, dtype=object), n, p=p / p.sum())


def _draw_functions(streams: np.ndarray, fw: Frameworks, rng: np.random.Generator) -> np.ndarray:
    """Return a function name for each stream key, drawn from that stream's functions."""
    out = np.empty(len(streams), dtype=object)
    for key, names in fw.phrases["functions"].items():
        mask = streams == key
        out[mask] = rng.choice(np.array(names, dtype=object), int(mask.sum()))
    return out


def _executive_streams(parent_idx: np.ndarray, parents: Layer, agency: dict[str, Any],
                       fw: Frameworks, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return stream keys and functions of new executives, mostly inherited from their parent."""
    n = len(parent_idx)
    drawn = _draw_streams(n, agency, fw, rng)
    keep = (rng.random(n) < INHERIT_STREAM) & (not parents.is_head)
    streams = np.where(keep, parents.stream[parent_idx], drawn)
    functions = _draw_functions(streams, fw, rng)
    same = keep & (rng.random(n) < INHERIT_FUNCTION)
    return streams, np.where(same, parents.function[parent_idx], functions)


def _head_layer(agency: dict[str, Any], ladder: dict[str, Any],
                uid0: int) -> tuple[dict[str, np.ndarray], Layer]:
    """Return the agency head's row and the head as a parent layer."""
    ladder_head = agency.get("head", "HEAD")
    row = {"uid": np.array([uid0]), "parent_uid": np.array([-1]), "code": np.array([ladder_head]),
           "layer": np.array([0]), "specialist": np.array([False]),
           "stream_key": np.array([ladder.get("head_stream")], dtype=object),
           "function": np.array([agency["name"]], dtype=object), "branch": np.array([0])}
    parent = Layer(row["uid"], row["stream_key"], row["function"], np.ones(1), np.ones(1, bool),
                   np.zeros(1, int), True)
    return row, parent


def _branch_marks(extra: np.ndarray, specialist: np.ndarray, agency: dict[str, Any],
                  scale: float, rng: np.random.Generator) -> np.ndarray:
    """Return 0 (both snapshots), 1 (new in the latest) or 2 (abolished) per SES1-tier node;
    only extra (non-guaranteed) nodes change, so every manager keeps a child in both."""
    mark = np.zeros(len(extra), dtype=int)
    pool = rng.permutation(np.flatnonzero(extra & ~specialist))
    k_new = min(len(pool), round(agency.get("new_branches", 0) * max(1.0, scale)))
    k_old = min(len(pool) - k_new, round(agency.get("abolished_branches", 0) * max(1.0, scale)))
    mark[pool[:k_new]] = 1
    mark[pool[k_new:k_new + k_old]] = 2
    return mark


def _build_layer(i: int, n: int, codes: list[str], parents: Layer, ctx: dict[str, Any],
                 rng: np.random.Generator) -> tuple[dict[str, np.ndarray], Layer]:
    """Return the rows of layer `i` and the layer as parents of the next one."""
    agency, fw, ladder = ctx["agency"], ctx["fw"], ctx["ladder"]
    leaf = codes[0] in ladder.get("leaf", [])
    weights = ladder.get("weights", [])
    p = np.array(weights[i]) if i < len(weights) else np.full(len(codes), 1 / len(codes))
    code = rng.choice(np.array(codes, dtype=object), n, p=p / p.sum())
    pidx, n_guaranteed = _assign_parents(n, parents, leaf, rng)
    extra = np.arange(n) >= n_guaranteed
    grade = fw.grade(codes[0])
    specialist = np.zeros(n, dtype=bool)
    branch = parents.branch[pidx]
    if grade.executive:
        stream, function = _executive_streams(pidx, parents, agency, fw, rng)
        if grade.tier == "SES1":
            k = min(int(extra.sum()), round(agency.get("specialists", 0) * max(1.0, ctx["scale"])))
            specialist[rng.choice(np.flatnonzero(extra), k, replace=False)] = True
            stream = np.where(specialist, "specialist", stream)
            function = np.where(specialist, _draw_functions(stream, fw, rng), function)
            branch = np.maximum(branch, _branch_marks(extra, specialist, agency, ctx["scale"], rng))
    else:
        stream, function = parents.stream[pidx], parents.function[pidx]
    uid = ctx["next_uid"] + np.arange(n)
    ctx["next_uid"] += n
    small = parents.guarantee[pidx] & (parents.weight[pidx] == 0)  # children of specialists
    weight = np.where(specialist | small, 0.0, rng.lognormal(0.0, SPAN_SPREAD, n))
    rows = {"uid": uid, "parent_uid": parents.uid[pidx], "code": code, "layer": np.full(n, i),
            "specialist": specialist, "stream_key": stream, "function": function, "branch": branch}
    return rows, Layer(uid, stream, function, weight, ~small, branch, False)


def _agency_tree(agency: dict[str, Any], fw: Frameworks, scale: float, uid0: int,
                 rng: np.random.Generator) -> pl.DataFrame:
    """Return the positions of one agency (union of snapshots) with parent links."""
    ladder = fw.config["ladders"][agency["jurisdiction"]]
    counts = scaled_counts(agency, ladder["layers"], fw, scale)
    ctx = {"agency": agency, "fw": fw, "ladder": ladder, "scale": scale, "next_uid": uid0 + 1}
    head, parents = _head_layer(agency, ladder, uid0)
    parts = [head]
    for i in range(1, len(counts)):
        if counts[i] == 0:
            continue
        rows, layer = _build_layer(i, counts[i], ladder["layers"][i], parents, ctx, rng)
        parts.append(rows)
        if ladder["layers"][i][0] not in ladder.get("leaf", []):
            parents = layer
    columns = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    frame = pl.DataFrame({k: v.tolist() if v.dtype == object else v for k, v in columns.items()},
                         schema_overrides={"stream_key": pl.String, "function": pl.String})
    return frame.with_columns(agency_code=pl.lit(agency["code"]),
                              jurisdiction=pl.lit(agency["jurisdiction"]))


def _leaf_churn(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Return the frame with a few leaf staff positions marked new (1) or abolished (2)."""
    has_child = np.zeros(frame.height + int(frame["uid"].min()), dtype=bool)
    parent = frame["parent_uid"].to_numpy()
    has_child[parent[parent >= 0]] = True
    branch = frame["branch"].to_numpy()
    leaf = ~has_child[frame["uid"].to_numpy()] & (frame["rank"].to_numpy() < 9) & (branch == 0)
    draw = rng.random(frame.height)
    mark = np.where(leaf & (draw < LEAF_CHURN), 1, np.where(leaf & (draw > 1 - LEAF_CHURN), 2, 0))
    branch = np.maximum(branch, mark)
    return frame.with_columns(in_first=pl.Series(branch != 1), in_latest=pl.Series(branch != 2))


def _position_ids(frame: pl.DataFrame, agency: dict[str, Any],
                  rng: np.random.Generator) -> pl.Series:
    """Return unique, stable ids in the agency's format, in no particular order."""
    numbers = np.cumsum(rng.integers(1, 4, frame.height)) + 10 ** (agency["id_digits"] - 1)
    width = max(agency["id_digits"], len(str(int(numbers.max()))))
    digits = pl.Series(rng.permutation(numbers)).cast(pl.String).str.zfill(width)
    return agency["id_prefix"] + digits


def build_workforce(fw: Frameworks, scale: float, rng: np.random.Generator) -> pl.DataFrame:
    """Return every position of every sample agency (both snapshots) with its crosswalk grade."""
    grades = pl.DataFrame([g.__dict__ for g in fw.grades.values()])
    frames = []
    uid0 = 0
    for agency in fw.config["agencies"]:
        tree = _agency_tree(agency, fw, scale, uid0, rng).join(grades, on="code", how="left",
                                                                  maintain_order="left")
        tree = _leaf_churn(tree, rng).with_columns(position_id=_position_ids(tree, agency, rng))
        frames.append(tree)
        uid0 += tree.height
    return pl.concat(frames).drop("branch")
