"""Engagement insights components: headline figures, themes, "you said, we did", quotes, coverage.

Every figure arrives from review/ already suppressed for the role ("fewer than 5", or "not shown" where a
total would otherwise give a small count away); these only draw it, and explain "not shown" under each
table or chart that has one."""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from review import engagement
from review.platform import exports, privacy
from review.platform.roles import Actor, Permission
from ui import charts, data, download, tables
from ui.engagement_charts import coverage_chart, ranking_summary, shown_counts, theme_bar, theme_heatmap
from ui.engagement_components import displayable
from ui.forms import kept
from ui.text import plain, plain_frame

DATE_FORMAT = st.column_config.DateColumn(format="DD MMM YYYY")


def explain_not_shown(*frames: pd.DataFrame) -> None:
    """The caption under a table or chart that has a "not shown" count: what it means and why."""
    if any(frame.isin([privacy.NOT_SHOWN]).any().any() for frame in frames):
        st.caption(f":material/visibility_off: {privacy.NOT_SHOWN_NOTE}")


def show_headline(figures: dict[str, Any]) -> None:
    """The headline figures; a suppressed one reads "fewer than 5" in full (a metric would cut it short)."""
    cols = st.columns(5)
    for col, (key, label) in zip(cols, [("activities", "Activities"), ("participants", "Participants"),
                                        ("inputs", "Inputs recorded"),
                                        ("needs_without_response", "Needs awaiting a response"),
                                        ("responses_done", "Responses done")], strict=True):
        with col.container(border=True):
            st.caption(label)
            st.markdown(f"### {plain(figures[key])}")
    if figures.get("not_shown"):
        st.caption(f":material/visibility_off: {privacy.NOT_SHOWN_NOTE}")


def theme_counts_csv(counts: pd.DataFrame) -> bytes:
    """The theme counts download (as shown to this role, small counts suppressed), formulas neutralised."""
    return exports.to_csv_bytes(counts.drop(columns=["theme_id"]))


def show_themes(actor: Actor, figures: engagement.Insights) -> None:
    counts = figures.themes
    if counts.empty:
        st.info("No inputs have been tagged with themes yet.", icon=":material/label_off:")
        return
    charts.show(theme_bar(counts), key="eng_theme_bar", data=shown_counts(counts[["Theme", "Mentions"]]),
                summary=ranking_summary(counts, "Mentions", "How often each theme was raised"))
    explain_not_shown(counts)
    by = kept(st.radio, "Break the themes down by", list(engagement.BY_OPTIONS), horizontal=True,
              format_func=engagement.BY_OPTIONS.get, key="eng_insights_by", choices=engagement.BY_OPTIONS)
    matrix = figures.themes_by[by]
    label = engagement.BY_OPTIONS[by]
    charts.show(theme_heatmap(matrix, label), key="eng_theme_heatmap", data=shown_counts(matrix),
                summary=f"Themes by {label.lower()}: mentions of each theme in each {label.lower()}, "
                        f"{matrix['Theme'].nunique()} theme(s) across {matrix[label].nunique()} column(s).")
    explain_not_shown(matrix)
    download.button("Download theme counts (CSV)", lambda: theme_counts_csv(counts),
                    "engagement-themes.csv", "text/csv", icon=":material/download:")


def show_you_said_we_did(actor: Actor, figures: engagement.Insights) -> None:
    responses = data.cached_for_role(engagement.responses_frame, actor)
    open_by_theme = figures.needs_by_theme
    open_needs = None
    if actor.can(Permission.READ_PERSONAL_DATA):  # parents' words: read for the person, never kept in a cache
        with data.reading() as session:
            open_needs = engagement.needs_without_response(session, actor)
    st.subheader("You said, we did")
    if responses.empty:
        st.info("No responses recorded yet.", icon=":material/campaign:")
    else:
        shown = responses.drop(columns=["id", "version"])
        shown["Date"] = [f"{d:%d %b %Y}" if d else "" for d in shown["Date"]]
        # A table wraps the long "you said" and "we did" text; it renders Markdown, so cells are escaped.
        st.table(plain_frame(shown.astype(str)).set_index("Theme"))
    st.subheader("Needs with no response yet")
    if open_by_theme.empty:
        st.success("Every need raised has a response.", icon=":material/check_circle:")
        return
    charts.show(theme_bar(open_by_theme, "Needs awaiting a response", "Needs with no response yet, by theme",
                          "Needs awaiting a response"), key="eng_open_needs_bar",
                data=shown_counts(open_by_theme[["Theme", "Needs awaiting a response"]]),
                summary=ranking_summary(open_by_theme, "Needs awaiting a response", "Needs with no response yet"))
    explain_not_shown(open_by_theme)
    if open_needs is not None and not open_needs.empty:
        with st.expander(f"The {len(open_needs)} need(s) in parents' words (personal data)"):
            tables.show(open_needs.drop(columns=["id"]), hide_index=True, column_config={"Date": DATE_FORMAT})


def show_quotes(actor: Actor, figures: engagement.Insights) -> None:
    st.caption("Only quotes whose speaker consented to quotation are shown, without their pseudonym.")
    with data.reading() as session:
        options = engagement.themes(session)
    theme_id = kept(st.selectbox, "Theme", [None, *options],
                    format_func=lambda t: "All themes" if t is None else options[t], key="eng_quotes_theme",
                    choices=[None, *options])
    with data.reading() as session:
        quotes = engagement.quotes_by_theme(session, actor, theme_id)
    if quotes.empty:
        st.info("No consented quotes for this theme.", icon=":material/format_quote:")
        return
    for theme, group in quotes.groupby("Theme", sort=False):
        st.markdown(f"**{plain(theme)}**")
        for row in group.itertuples():
            st.markdown(f"> {plain(row.Quote)}")
            st.caption(f"{plain(row._3)}, {pd.Timestamp(row.Date):%B %Y}")


def show_coverage(actor: Actor, figures: engagement.Insights) -> None:
    coverage = figures.coverage
    with data.reading() as session:  # for roles with personal data it holds activity summaries: never cached
        activities = engagement.activities_frame(session, actor)
    if coverage.empty:
        st.info("No engagement activities recorded yet.", icon=":material/groups:")
        return
    charts.show(coverage_chart(coverage), key="eng_coverage", data=shown_counts(coverage),
                summary=f"Engagement coverage by month: participants and inputs recorded in each of "
                        f"{len(coverage)} month(s) with activity.")
    explain_not_shown(coverage)
    listed = activities[["Activity", "Type", "Start", "Partner", "Participants", "Inputs"]]
    tables.show(displayable(listed), hide_index=True, column_config={
        "Start": DATE_FORMAT, "Activity": st.column_config.TextColumn(width="large")})
    explain_not_shown(listed)
