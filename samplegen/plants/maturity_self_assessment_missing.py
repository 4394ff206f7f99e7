"""Plants of maturity_self_assessment_missing: a latest-year self-assessment short of elements.

Each plant names the agency and the `elements` its latest-year self-assessment leaves out (all
five: no self-assessment at all while the other APS agencies sent theirs). The maturity levels
are drawn when the extract is written, so the plant returns the rows to leave out and labels
the agency at the latest snapshot, the one in the latest year.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from samplegen.plant_state import PlantState, label

OMITTED_SCHEMA = {"year": pl.String, "agency_code": pl.String, "element": pl.String}


def omitted(state: PlantState, spec: dict[str, Any]) -> pl.DataFrame:
    """Return the (year, agency, element) rows the agency's self-assessment leaves out."""
    year = state.fw.config["performance"]["years"][-1]
    known = state.fw.config["performance"]["elements"]
    unknown = sorted(set(spec["elements"]) - set(known))
    if unknown:
        raise ValueError(f"maturity_self_assessment_missing: no element {', '.join(unknown)}")
    agency = state.agency(spec["agency"])
    label(state, "maturity_self_assessment_missing", {"jurisdiction": agency["jurisdiction"],
                                                      "agency_code": spec["agency"]},
          f"{year} self-assessment without {', '.join(spec['elements'])}")
    return pl.DataFrame({"year": year, "agency_code": spec["agency"],
                         "element": spec["elements"]}, schema=OMITTED_SCHEMA)
