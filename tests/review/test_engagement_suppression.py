"""Secondary suppression: no count hidden from a viewer can be worked out from the counts and totals shown
beside it. The pure function on hand-made tables and on random ones (hypothesis, with an exact linear
programming check of what a viewer could infer), then the engagement figures read as a viewer and an editor."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review import engagement
from review.engagement.counts import activity_key, cell_key, engagement_counts, month_key, theme_key, total_key
from review.engagement.suppression import Group, inferable_ranges, protect, suppress
from review.platform.privacy import FEWER_THAN, NOT_SHOWN, SMALL_COUNT_THRESHOLD, is_hidden

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def hidden_terms(shown: dict, group: Group) -> int:
    return sum(1 for k in group.terms if is_hidden(shown[k]))


def recoverable_by_subtraction(shown: dict, groups: list[Group]) -> list:
    """Hidden counts a viewer gets back by adding and subtracting within one group: exactly one term hidden."""
    found = []
    for g in groups:
        hidden = [k for k in g.terms if is_hidden(shown[k])]
        if len(hidden) == 1:
            found.append(hidden[0])
    return found


# ---------------------------------------------------------------- hand-made tables

def test_the_brief_example_cannot_be_worked_out():
    """Total 23, shown 9 and 10, one "fewer than 5": without secondary suppression it is 23 - 9 - 10 = 4."""
    counts = {"forum": 9, "drop-in": 10, "interview": 4, "total": 23}
    group = Group.of(["forum", "drop-in", "interview"], "total")
    assert inferable_ranges(counts, [group], primary={"interview"})["interview"] == (4, 4)
    shown = suppress(counts, [group])
    assert shown == {"forum": NOT_SHOWN, "drop-in": 10, "interview": FEWER_THAN, "total": 23}
    assert hidden_terms(shown, group) == 2
    ranges = inferable_ranges(counts, [group], primary={"interview"}, secondary={"forum"})
    assert ranges["interview"] == (0, 4) and ranges["forum"] == (9, 13)


def test_nothing_is_hidden_when_no_count_is_below_five():
    counts = {"a": 5, "b": 12, "c": 7, "total": 24}
    protection = protect(counts, [Group.of(["a", "b", "c"], "total")])
    assert protection.hidden == frozenset()
    assert suppress(counts, [Group.of(["a", "b", "c"], "total")]) == counts


def test_zero_is_suppressed_like_any_small_count():
    counts = {"a": 0, "b": 9, "c": 8, "total": 17}
    shown = suppress(counts, [Group.of(["a", "b", "c"], "total")])
    assert shown == {"a": FEWER_THAN, "b": 9, "c": NOT_SHOWN, "total": 17}


def test_the_total_goes_when_no_part_is_left_to_hide():
    """0 and 5 making 5: hiding the 5 is not enough (a hidden part is 5 or more, so it must be 5 and the other 0)."""
    counts = {"interview": 0, "forum": 5, "total": 5}
    group = Group.of(["interview", "forum"], "total")
    protection = protect(counts, [group])
    assert protection.primary == {"interview"} and protection.secondary == {"forum", "total"}
    ranges = inferable_ranges(counts, [group], protection.primary, protection.secondary)
    assert ranges["interview"] == (0, 4)


@pytest.mark.parametrize("small", [0, 4])
def test_hidden_counts_pinned_at_the_ends_of_their_range_are_protected(small):
    """Two "fewer than 5" making 0 or 8 are both 0 or both 4, though two cells are hidden."""
    counts = {"a": small, "b": small, "c": 9, "total": 2 * small + 9}
    group = Group.of(["a", "b", "c"], "total")
    assert inferable_ranges(counts, [group], primary={"a", "b"})["a"] == (small, small)
    protection = protect(counts, [group])
    assert protection.secondary == {"c"}
    ranges = inferable_ranges(counts, [group], protection.primary, protection.secondary)
    assert all(ranges[k][0] < ranges[k][1] for k in protection.hidden)


def test_suppression_follows_a_hierarchy_of_totals():
    """Activities within months within the headline total: a hidden month is also the total of its
    activities, so hiding a month means hiding one of its activities too."""
    counts = {"april": 18, "may": 8, "june": 6, "july": 0, "act-apr": 18, "act-may": 8, "act-jun": 6, "act-jul": 0,
              "total": 32}
    groups = [Group.of(["april", "may", "june", "july"], "total"), Group.of(["act-apr"], "april"),
              Group.of(["act-may"], "may"), Group.of(["act-jun"], "june"), Group.of(["act-jul"], "july")]
    protection = protect(counts, groups)
    assert protection.primary == {"july", "act-jul"}
    assert protection.secondary == {"june", "act-jun"}  # the smallest month, then its only activity
    shown = {k: protection.shown(k, v) for k, v in counts.items()}
    assert not recoverable_by_subtraction(shown, groups)
    ranges = inferable_ranges(counts, groups, protection.primary, protection.secondary)
    assert ranges["july"] == (0, 1) and ranges["act-jul"] == (0, 1)


def test_rows_and_columns_together_are_followed():
    """A two-way table with both margins: every row and column has two hidden cells or none, yet the 2 at
    (2, 2) joins two separate loops of hidden cells, so rows and columns together fix it; so are hidden
    row totals that the column totals add up to."""
    values = [[11, 12, 2, 6], [6, 1, 6, 10], [7, 12, 5, 6], [0, 10, 3, 7]]
    counts, groups = {}, []
    for r, row in enumerate(values):
        counts |= {(r, c): v for c, v in enumerate(row)} | {("row", r): sum(row)}
        groups.append(Group.of([(r, c) for c in range(4)], ("row", r)))
    for c in range(4):
        counts[("col", c)] = sum(row[c] for row in values)
        groups.append(Group.of([(r, c) for r in range(4)], ("col", c)))
    protection = protect(counts, groups)
    hidden = {k: FEWER_THAN if k in protection.primary else NOT_SHOWN for k in protection.hidden}
    for key in hidden:
        low, high = _lp_range(counts, groups, hidden, key)
        assert high - low >= 1 - 1e-6, key


def test_a_series_in_gives_a_series_out():
    import pandas as pd

    series = pd.Series({"a": 3, "b": 7, "c": 9}, name="Mentions")
    shown = suppress(series)
    assert isinstance(shown, pd.Series) and shown.name == "Mentions"
    assert shown.tolist() == [FEWER_THAN, 7, 9]


def test_groups_must_add_up_and_counts_must_be_whole_and_not_negative():
    with pytest.raises(ValueError, match="do not add up"):
        protect({"a": 1, "b": 2, "total": 4}, [Group.of(["a", "b"], "total")])
    with pytest.raises(ValueError, match="without a count"):
        protect({"a": 1, "total": 1}, [Group.of(["a", "b"], "total")])
    with pytest.raises(ValueError, match="negative"):
        protect({"a": -1})
    with pytest.raises(ValueError, match="twice"):
        protect({"a": 1}, [Group.of(["a"], "a")])


def test_the_result_is_the_same_every_time():
    counts = {f"c{i}": v for i, v in enumerate([3, 9, 9, 12, 2, 9])} | {"total": 44}
    group = Group.of([f"c{i}" for i in range(6)], "total")
    first = protect(counts, [group])
    assert all(protect(counts, [group]) == first for _ in range(5))


# ---------------------------------------------------------------- random tables

@st.composite
def tables(draw):
    """A table of counts with row totals, and maybe column totals and a grand total (as the engagement
    figures have: theme rows with their mentions, months with the headline total)."""
    rows = draw(st.integers(1, 4))
    cols = draw(st.integers(1, 4))
    cells = {(r, c): draw(st.integers(0, 14)) for r in range(rows) for c in range(cols)}
    counts: dict = dict(cells)
    groups = []
    for r in range(rows):
        counts[("row", r)] = sum(cells[(r, c)] for c in range(cols))
        groups.append(Group.of([(r, c) for c in range(cols)], ("row", r)))
    if draw(st.booleans()):
        for c in range(cols):
            counts[("col", c)] = sum(cells[(r, c)] for r in range(rows))
            groups.append(Group.of([(r, c) for r in range(rows)], ("col", c)))
    if draw(st.booleans()):
        counts["grand"] = sum(cells.values())
        groups.append(Group.of([("row", r) for r in range(rows)], "grand"))
        if ("col", 0) in counts and draw(st.booleans()):
            groups.append(Group.of([("col", c) for c in range(cols)], "grand"))
    return counts, groups


@SETTINGS
@given(tables())
def test_no_hidden_count_can_be_recovered_by_subtraction(table):
    counts, groups = table
    shown = suppress(counts, groups)
    for g in groups:  # in every group, no hidden count or at least two (the total counts as one)
        assert hidden_terms(shown, g) != 1, (g, shown)
    assert {k for k, v in counts.items() if v < SMALL_COUNT_THRESHOLD} == {k for k, v in shown.items()
                                                                           if v == FEWER_THAN}
    assert all(counts[k] >= SMALL_COUNT_THRESHOLD for k, v in shown.items() if v == NOT_SHOWN)  # never mislabelled
    assert all(shown[k] == counts[k] for k in counts if not is_hidden(shown[k]))


def _lp_range(counts: dict, groups: list[Group], hidden: dict, key) -> tuple[float, float]:
    """What a viewer can infer of one hidden count, exactly: the lowest and highest value it can take given
    every group and the rules ("fewer than 5" is 0 to 4, "not shown" 5 or more). The tables' constraint
    matrices are totally unimodular, so the linear programme's optimum is a whole number."""
    from scipy.optimize import linprog  # in requirements-dev.txt: the test must run, not skip
    keys = sorted(hidden, key=repr)
    index = {k: i for i, k in enumerate(keys)}
    a_eq, b_eq = [], []
    for g in groups:
        row, known = [0.0] * len(keys), 0
        for k, sign in [*((k, 1) for k in g.parts), *((k, -1) for k in g.totals)]:
            if k in index:
                row[index[k]] += sign
            else:
                known += sign * counts[k]
        if any(row):
            a_eq.append(row)
            b_eq.append(-known)
    bounds = [(0, SMALL_COUNT_THRESHOLD - 1) if hidden[k] == FEWER_THAN else (SMALL_COUNT_THRESHOLD, None)
              for k in keys]
    target = [0.0] * len(keys)
    target[index[key]] = 1.0
    low = linprog(target, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
    high = linprog([-t for t in target], A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
    assert low.status == 0
    return low.fun, (float("inf") if high.status == 3 else -high.fun)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_hidden_count_can_be_worked_out_even_knowing_the_rules(table):
    """Stronger than subtraction: following every group at once, and knowing that a "fewer than 5" count is
    0 to 4 and a "not shown" one 5 or more, each hidden count can still take at least two values."""
    counts, groups = table
    shown = suppress(counts, groups)
    hidden = {k: v for k, v in shown.items() if is_hidden(v)}
    for key in hidden:
        low, high = _lp_range(counts, groups, hidden, key)
        assert high - low >= 1 - 1e-6, (key, counts[key], low, high, shown)


# ---------------------------------------------------------------- the engagement figures

@pytest.fixture
def activities(session, editor):
    """A forum meeting (April, 18 people, 9 inputs) and interviews (May, 8 people, 4 inputs): 13 in all."""
    forum = engagement.create_partner(session, editor, "Herts Parent Carer Involvement", "HPCI", "HCPI")
    waiting = engagement.create_theme(session, editor, "Waiting times").id
    transitions = engagement.create_theme(session, editor, "Transitions").id
    ids = {}
    for key, kind, start, people, inputs in (("forum", "forum", date(2019, 4, 10), 18, 9),
                                             ("interviews", "interview", date(2019, 5, 7), 8, 4)):
        activity = engagement.create_activity(
            session, editor, title=f"Activity {key}", activity_type=kind, start_date=start, partner_id=forum.id,
            participants=people, lawful_basis="public_task", retention_review_date=date(2021, 4, 1))
        ids[key] = activity.id
        for n in range(inputs):
            engagement.add_input(session, editor, activity_id=activity.id, participant=None,
                                 need="Needs to know who to call.", theme_ids=[waiting if n % 2 else transitions])
    session.commit()
    return ids


def test_an_activity_count_below_five_cannot_be_recovered_from_the_headline(session, viewer, activities):
    figures = engagement.headline(session, viewer)
    listed = engagement.activities_frame(session, viewer).set_index("id")["Inputs"]
    assert figures["inputs"] == 13 and listed[activities["interviews"]] == FEWER_THAN
    assert listed[activities["forum"]] == NOT_SHOWN  # 13 - 9 would otherwise be 4
    months = engagement.coverage_over_time(session, viewer)["Inputs"].tolist()
    assert months == [NOT_SHOWN, FEWER_THAN]  # April's 9 would give May's 4 away just the same
    by_type = engagement.theme_counts_by(session, viewer, "activity_type")
    assert 4 not in by_type["Mentions"].tolist()


def test_every_viewer_group_keeps_zero_or_two_hidden_counts(session, viewer, activities):
    """Rebuilds the groups a viewer can add up from what the functions return, and checks each."""
    counts = engagement_counts(session, viewer)
    shown = counts.shown
    groups = [Group.of([month_key(m, c) for m in counts.months], total_key(name))
              for c, name in (("Participants", "participants"), ("Inputs", "inputs"))]
    groups += [Group.of([cell_key(by, t, g) for g in counts.breakdowns[by]], theme_key(t))
               for by in counts.breakdowns for t in counts.themes]
    groups += [Group.of([activity_key(a, "Inputs")], month_key(m, "Inputs"))  # one activity a month here
               for a, m in zip(counts.activities, counts.months, strict=True)]
    assert not recoverable_by_subtraction(shown, groups)


def test_nothing_is_hidden_when_every_count_is_five_or_more(session, editor, viewer):
    forum = engagement.create_partner(session, editor, "Herts Parent Carer Involvement", "HPCI", "HCPI")
    theme = engagement.create_theme(session, editor, "Waiting times").id
    for month in (4, 5):
        activity = engagement.create_activity(
            session, editor, title=f"Forum {month}", activity_type="forum", start_date=date(2019, month, 10),
            partner_id=forum.id, participants=10 + month, lawful_basis="public_task",
            retention_review_date=date(2021, 4, 1))
        for _ in range(5):
            engagement.add_input(session, editor, activity_id=activity.id, participant=None,
                                 need="Needs to know who to call.", theme_ids=[theme])
    session.commit()
    shown = engagement_counts(session, viewer).shown
    assert NOT_SHOWN not in shown.values()
    # only the number of activities (2) and of responses (0) are small, and they are not counts of people
    assert {k for k, v in shown.items() if v == FEWER_THAN} == {
        ("total", "activities"), ("total", "responses"), ("total", "responses_done"),
        ("month", date(2019, 4, 1), "Activities"), ("month", date(2019, 5, 1), "Activities")}
    assert engagement.headline(session, viewer)["not_shown"] is False


def test_editors_see_exact_numbers(session, editor, admin, activities):
    for actor in (editor, admin):
        counts = engagement_counts(session, actor)
        assert not counts.suppressed and not any(is_hidden(v) for v in counts.shown.values())
        listed = engagement.activities_frame(session, actor).set_index("id")["Inputs"]
        assert listed[activities["interviews"]] == 4 and listed[activities["forum"]] == 9
        assert engagement.headline(session, actor)["inputs"] == 13
        assert engagement.coverage_over_time(session, actor)["Inputs"].tolist() == [9, 4]
        by_type = engagement.theme_counts_by(session, actor, "activity_type")
        assert sorted(by_type["Mentions"]) == [2, 2, 4, 5]


def test_commissioners_see_what_viewers_see(session, viewer, commissioner, activities):
    assert engagement_counts(session, commissioner).shown == engagement_counts(session, viewer).shown
