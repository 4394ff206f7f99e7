"""The sample generator: fictional agencies' extracts with labelled, planted defects.

It imports nothing from `pipeline`: the plants know the rules only through their
configuration (data/sample/plants.toml), never through the pipeline's code.
"""

from samplegen.generate import SampleSummary, write_sample

__all__ = ["SampleSummary", "write_sample"]
