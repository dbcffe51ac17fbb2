"""Theme suggestions for feedback: the article's four examples, paraphrases, and silence."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followups.growth import SUGGESTED_ACTIONS, SUGGESTIBLE_THEMES, action_by_key, suggest_themes

# (feedback text, the themes it should suggest). The first of each group is the article's
# example; the rest say the same thing in other words, as real feedback does.
FEEDBACK_TABLE = [
    # Experience that did not match
    ("Your experience didn’t align with our needs.", {"experience"}),
    ("Your background wasn't quite what we needed for this role.", {"experience"}),
    ("We went with a candidate whose experience more closely matched the role.", {"experience"}),
    ("Other candidates had more hands-on experience with Kubernetes.", {"experience"}),
    ("You don't yet have the years of experience we need for a senior role.", {"experience"}),
    ("We felt you were a bit too junior for this position.", {"experience"}),
    ("Your skill set did not fully match the requirements of the role.", {"experience"}),
    ("You lacked exposure to large-scale distributed systems.", {"experience"}),
    ("We needed someone with deeper domain knowledge in payments.", {"experience"}),
    ("The panel felt you were not yet qualified to lead the team.", {"experience"}),
    ("We chose candidates whose profiles better suit our current needs.", {"experience"}),
    # Communication skills
    ("We were looking for stronger communication skills.", {"communication"}),
    ("Your answers were hard to follow at times.", {"communication"}),
    ("You tended to ramble and didn't get to the point.", {"communication"}),
    ("Try to be more concise in your responses.", {"communication"}),
    ("We would have liked clearer explanations of your past projects.", {"communication"}),
    ("Your answers lacked concrete examples.", {"communication"}),
    ("You could work on articulating your ideas.", {"communication"}),
    ("Some of your answers were vague.", {"communication"}),
    ("You didn't explain your reasoning well during the case study.", {"communication"}),
    ("We found you difficult to understand at times.", {"communication"}),
    # Nerves in the interview
    ("You seemed nervous during the interview.", {"nerves"}),
    ("You appeared quite anxious throughout the conversation.", {"nerves"}),
    ("The interviewers noticed you were very tense.", {"nerves"}),
    ("You came across as lacking confidence.", {"nerves"}),
    ("You didn't seem very confident in your answers.", {"nerves"}),
    ("You seemed a little uneasy when answering technical questions.", {"nerves"}),
    ("You looked stressed and hesitant at times.", {"nerves"}),
    ("It felt like you froze on the whiteboard question.", {"nerves"}),
    ("Try to stay calmer under pressure.", {"nerves"}),
    ("You were fidgeting and avoided eye contact.", {"nerves"}),
    # Visible enthusiasm
    ("We felt you lacked enthusiasm for the role.", {"enthusiasm"}),
    ("You didn't seem very excited about the position.", {"enthusiasm"}),
    ("The team wasn't sure you really wanted this job.", {"enthusiasm"}),
    ("You came across as somewhat uninterested.", {"enthusiasm"}),
    ("We didn't see much passion for our product.", {"enthusiasm"}),
    ("Your energy seemed low during the call.", {"enthusiasm"}),
    ("It wasn't clear why you wanted to join us.", {"enthusiasm"}),
    ("Your motivation for the role was unclear.", {"enthusiasm"}),
    ("You seemed disengaged during the team interview.", {"enthusiasm"}),
    ("The interviewers felt you were underprepared and unenthusiastic.", {"enthusiasm"}),
    # Application materials
    ("Your resume didn't highlight your achievements.", {"materials"}),
    ("There were several typos in your cover letter.", {"materials"}),
    ("Your CV was too generic for this role.", {"materials"}),
    ("Your résumé was long and hard to scan.", {"materials"}),
    ("Your portfolio didn't show enough recent work.", {"materials"}),
    ("Consider quantifying your impact on your CV.", {"materials"}),
    ("Spelling mistakes in your application put the reviewers off.", {"materials"}),
    # More than one theme in one message
    ("You were visibly nervous and your answers lacked structure.", {"nerves", "communication"}),
    (
        "Your cover letter was generic, and we needed more experience with cloud platforms.",
        {"materials", "experience"},
    ),
    # Praise is not something to work on; the critique next to it is
    ("We loved your enthusiasm, but your experience did not match.", {"experience"}),
    ("Your communication was excellent, however you seemed nervous.", {"nerves"}),
]

UNRELATED = [
    "Thank you for your interest in the position.",
    "We have decided to move forward with another candidate.",
    "The position has been filled internally.",
    "The role has been put on hold due to budget changes.",
    "We will keep your CV on file for future opportunities.",
    "We wish you the best of luck in your job search.",
    "We are confident you will find a great role soon.",
    "We're excited to let you know we have offered the role to another candidate.",
    "Unfortunately we cannot share detailed feedback.",
    "We hope you had a positive experience with our interview process.",
    "The weather in Berlin was lovely that week.",
    "Thank you for taking the time to meet with us.",
    "We received a large number of applications for this role.",
    "",
]


@pytest.mark.parametrize(("text", "themes"), FEEDBACK_TABLE)
def test_feedback_suggests_its_themes(text, themes):
    assert suggest_themes(text) == themes


@pytest.mark.parametrize("text", UNRELATED)
def test_text_about_no_theme_suggests_nothing(text):
    assert suggest_themes(text) == set()


def test_suggestions_ignore_case_and_curly_quotes():
    assert suggest_themes("YOU DIDN’T SEEM VERY EXCITED ABOUT THE ROLE") == {"enthusiasm"}


def test_suggestions_come_only_from_the_contract_themes():
    text = " ".join(text for text, _ in FEEDBACK_TABLE)
    assert suggest_themes(text) == set(SUGGESTIBLE_THEMES)


def test_every_theme_has_suggested_actions_that_can_become_goals():
    for theme in SUGGESTIBLE_THEMES:
        actions = SUGGESTED_ACTIONS[theme]
        assert actions
        for action in actions:
            assert action_by_key(action.key) is action
            assert action.theme == theme and action.text and action.measurable
            assert action.days > 0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_subset_of_the_contract_themes(text):
    assert suggest_themes(text) <= set(SUGGESTIBLE_THEMES)


def test_a_huge_pasted_thread_is_read_quickly():
    text = "You seemed nervous. " + "Lorem ipsum dolor sit amet " * 20_000

    started = time.perf_counter()
    themes = suggest_themes(text)

    assert themes == {"nerves"}
    assert time.perf_counter() - started < 2
