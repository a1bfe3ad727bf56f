"""Phone-line costs: build, save and compare cost scenarios for a SEND phone line (commissioners)."""
from __future__ import annotations

import streamlit as st

from review.costing import DEFAULTS, ScenarioInputs, scenarios
from review.platform.roles import Permission
from ui.costing_components import (
    choose_scenario,
    comparison,
    evaluate,
    headline_metrics,
    input_panel,
    load_scenarios,
    results_panel,
    save_panel,
    show_unsaved,
    uncertainty_panel,
)
from ui.page import setup_page
from ui.text import plain

ctx = setup_page("costs")
st.title("Phone-line costs")
st.caption("How many advisers a SEND phone line needs for its demand and service level (Erlang C, interval by "
           "interval, with a minimum on duty), what it costs each year and over the contract, and how sure we are. "
           "Every default is editable and shows its source; figures marked illustrative are placeholders.")
can_edit = ctx.actor.can(Permission.EDIT_SCENARIOS)
records = load_scenarios()
current = choose_scenario(records, can_edit)
if current is not None:
    marks = [m for m, on in (("Recommended", current.is_recommended), ("Locked", current.is_locked),
                             ("Illustrative inputs", current.is_illustrative)) if on]
    st.caption(" · ".join([f"Owner: {plain(current.owner_name)}",
                           f"Delivery model: {plain(current.delivery_model or 'not set')}",
                           f"Version {current.version}", *marks]))
    if current.description:
        st.markdown(plain(current.description))
    base_inputs = scenarios.scenario_inputs(current)
else:
    base_inputs = ScenarioInputs()

# Stateful tabs: the open tab survives reruns, and the comparison and the sensitivity runs (hundreds of
# evaluations) are computed only while their tab is open. The Scenario tab always runs: its inputs are widgets
# whose values must survive a look at the other tabs.
scenario_tab, compare_tab, risk_tab = st.tabs(["Scenario", "Compare scenarios", "Sensitivity and uncertainty"],
                                              key="costs_tab", on_change="rerun")
prefix = f"ci_{current.id}_{current.version}_" if current is not None else "ci_new_0_"

with scenario_tab:
    headline = st.container()
    inputs_col, results_col = st.columns([2, 3], gap="large")
    with inputs_col:
        st.subheader("Inputs")
        inputs, errors = input_panel(prefix, base_inputs)
        if errors:
            st.error("Please correct these inputs:\n\n" + "\n".join(
                f"- **{DEFAULTS[k].label if k in DEFAULTS else k}**: {v}" for k, v in errors.items()),
                icon=":material/error:")
    with results_col:
        st.subheader("Results")
        if inputs is None:
            st.info("Results appear when the inputs are valid.", icon=":material/info:")
        else:
            name = current.name if current is not None else "New scenario"
            result = evaluate(inputs)
            results_panel(name, result)
            with headline:
                show_unsaved(current, inputs)
                headline_metrics(result)
        st.subheader("Save" if can_edit else "Saving")
        save_panel(ctx.actor, current, inputs)

if compare_tab.open:
    with compare_tab:
        comparison(records)

if risk_tab.open:
    with risk_tab:
        uncertainty_panel(inputs)
