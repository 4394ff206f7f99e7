"""Band distribution by stream: each stream's band mix, beside the whole selection's."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, components, queries
from dashboards.context import PageContext, current
from dashboards.filters import stream_labels


def stream_comparison(context: PageContext, mix_streams: list[str],
                      labels: dict[str, str]) -> None:
    """Show one stream's band mix against all streams (the sidebar's stream, or a pick)."""
    mix = context.reader.query(queries.band_mix, context.filters)
    chosen = context.filters.stream_code
    if chosen not in mix_streams:
        chosen = st.selectbox("Stream to compare", mix_streams, key="bands_stream",
                              format_func=lambda code: labels.get(code, code))
    st.altair_chart(charts.stream_vs_service_chart(mix, chosen, labels.get(chosen, chosen),
                                                   context.options.tiers))


def render(context: PageContext) -> None:
    """Draw the Band distribution by stream page."""
    st.title("Band distribution by stream")
    components.scope_caption(context.filters)
    reader, filters = context.reader, context.filters
    mix = reader.query(queries.band_mix, filters)
    if mix.is_empty():
        components.no_rows("executive positions", context.filters)
        return
    labels = stream_labels()
    components.ignored_filters(filters, ("tier",), "the page compares bands")
    st.subheader("Band mix of each stream")
    st.altair_chart(charts.band_mix_chart(mix, context.options.tiers, labels))
    st.subheader("A stream against all streams")
    streams = [code for code in dict.fromkeys(mix["stream_code"].to_list())
               if code != charts.ALL_STREAMS]
    stream_comparison(context, streams, labels)
    components.suppressed_table(mix, share=st.column_config.NumberColumn(format="percent"))
    st.subheader("By agency")
    st.caption("Executive positions per agency and band (stream filter applied); agencies "
               "are compared, so counts under 5 are suppressed.")
    by_agency = reader.query(queries.band_mix_by_agency, filters)
    components.suppressed_table(by_agency,
                                share=st.column_config.NumberColumn(format="percent"))


render(current())
