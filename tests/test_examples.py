"""Every example question the bot itself shows gets a confident, cited answer from the catalogue
that is loaded: the fictional test texts, and the sample article alone (a fresh clone)."""

from __future__ import annotations

import re

import pytest

from bot.core.answers.answers import ask
from bot.core.chat import texts
from bot.core.chat.examples import example_question

ROLES = (None, "cadre", "officer", "admin")


def shown_examples(app) -> set[str]:
    """The «…?» questions of /help and the welcome, for every kind of user."""
    example = example_question(app)
    return {q for role in ROLES for q in re.findall(r"«([^»]+\?)»", texts.help_text(role, example))}


@pytest.mark.parametrize("catalogue", ["fixture_app", "sample_app", "knowledge_app"])
def test_every_shown_example_is_answered_with_a_source(catalogue, request):
    app = request.getfixturevalue(catalogue)
    questions = shown_examples(app)
    assert questions
    for question in questions:
        answer = ask(app, question)
        assert answer.confident and answer.sources, (question, answer.answer)
        assert re.search(r"\d{1,2}/\d{1,2}/\d{4}", answer.answer), (question, answer.answer)  # the date itself


def test_an_empty_catalogue_shows_no_example(app):
    assert example_question(app) is None
    assert "«" not in texts.help_text("cadre", None).split("(Trên Zalo")[0]
