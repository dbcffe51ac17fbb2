"""Feedback themes follow what the feedback says is lacking, not every word it mentions:
negated praise-or-worry suggests nothing, hedged advice suggests its theme."""

from __future__ import annotations

import pytest

from followups.growth import suggest_themes

NOTHING_TO_WORK_ON = [
    "You didn't seem nervous.",
    "You were not at all nervous in the final round.",
    "We had no concerns about your experience.",
    "Honestly, nobody on the panel thought you lacked enthusiasm.",
    "Your answers never felt rambling or vague.",
    "There was nothing wrong with your CV.",
]


@pytest.mark.parametrize("text", NOTHING_TO_WORK_ON)
def test_negated_feedback_suggests_no_theme(text):
    assert suggest_themes(text) == set(), text


HEDGED = [
    ("You could have been more enthusiastic about the product.", {"enthusiasm"}),
    ("You could have shown more enthusiasm.", {"enthusiasm"}),
    ("It wasn't clear that you were excited about our mission.", {"enthusiasm"}),
    ("Perhaps try to keep your answers a little shorter and more focused.", {"communication"}),
    ("You might benefit from a few more years leading teams.", {"experience"}),
    ("It would help to seem a bit more relaxed when you're challenged.", {"nerves"}),
    ("Your CV could do more to show the results you achieved.", {"materials"}),
]


@pytest.mark.parametrize(("text", "themes"), HEDGED)
def test_hedged_advice_suggests_its_theme(text, themes):
    assert suggest_themes(text) == themes, text


def test_a_negated_worry_beside_a_real_one_suggests_only_the_real_one():
    text = "You didn't seem nervous at all, but your answers lacked concrete examples."
    assert suggest_themes(text) == {"communication"}
