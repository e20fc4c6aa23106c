"""Satisfaction through the real servers, and the KPI report counting it."""

from __future__ import annotations

import re
import uuid

import pytest
import requests
from sqlalchemy import select

from actions.store.database import session_factory
from actions.store.models import CsatResponse
from tests.bilingual import response_text


def _sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _stored(stack, sender: str):
    with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
        return session.execute(
            select(CsatResponse.score, CsatResponse.comment, CsatResponse.served_by)
            .where(CsatResponse.sender_id == sender)
        ).all()


def test_goodbye_asks_for_a_score_and_a_comment_once(stack) -> None:
    sender = _sender("zh-csat")
    stack.say(sender, "你好")
    assert stack.say(sender, "再见") == [response_text("utter_goodbye", "zh"),
                                       response_text("utter_ask_csat_score", "zh")]
    buttons = stack.post_webhook({"sender": _sender("buttons"), "message": "再见"}).json()[-1]
    assert buttons["buttons"][0] == {"title": "5 非常满意", "payload": '/inform{"choice": "5"}'}
    assert stack.say(sender, "10分") == [response_text("utter_csat_score_unclear", "zh"),
                                        response_text("utter_ask_csat_score", "zh")]
    assert stack.say(sender, '/inform{"choice": "4"}') == [
        response_text("utter_ask_csat_comment", "zh")]
    thanks = [response_text("utter_csat_thanks", "zh")]
    assert stack.say(sender, "希望人工客服接通再快一点") == thanks
    assert _stored(stack, sender) == [(4, "希望人工客服接通再快一点", "bot")]
    # Asked once per conversation.
    assert stack.say(sender, "再见") == [response_text("utter_goodbye", "zh")]


def test_a_question_instead_of_a_score_is_answered_then_the_score_asked_again(stack) -> None:
    sender = _sender("en-csat")
    stack.say(sender, "bye")
    assert stack.say(sender, "what are your branch opening hours?") == [
        response_text("utter_branch_hours", "en"), response_text("utter_ask_csat_score", "en")]
    assert stack.say(sender, "5") == [response_text("utter_ask_csat_comment", "en")]
    # Kept at once: a customer who leaves now has still rated the service.
    assert _stored(stack, sender) == [(5, None, "bot")]
    assert stack.say(sender, "no") == [response_text("utter_csat_thanks", "en")]
    assert _stored(stack, sender) == [(5, None, "bot")]


def test_no_thanks_declines_the_score(stack) -> None:
    sender = _sender("en-decline")
    stack.say(sender, "goodbye")
    assert stack.say(sender, "no thanks") == []
    assert _stored(stack, sender) == []


def test_a_number_that_is_no_score_is_asked_again_and_88_still_says_goodbye(stack) -> None:
    """The NLU reads two-digit numbers as goodbye ("83" 0.93, learnt from "88"), which ended
    the survey. A number that is no score from 1 to 5 is asked again in the customer's
    language; "88" and "886", Chinese for bye-bye, decline the survey as "no thanks" does."""
    sender = _sender("zh-csat-number")
    stack.say(sender, "你好")
    stack.say(sender, "再见")
    asked_again = [response_text("utter_csat_score_unclear", "zh"),
                   response_text("utter_ask_csat_score", "zh")]
    for number in ("83", "38", "96"):
        assert stack.say(sender, number) == asked_again
    assert stack.say(sender, "4") == [response_text("utter_ask_csat_comment", "zh")]
    assert stack.say(sender, "没有") == [response_text("utter_csat_thanks", "zh")]
    assert _stored(stack, sender) == [(4, None, "bot")]

    sender = _sender("en-csat-number")
    stack.say(sender, "bye")
    assert stack.say(sender, "83") == [response_text("utter_csat_score_unclear", "en"),
                                       response_text("utter_ask_csat_score", "en")]
    assert stack.say(sender, "5") == [response_text("utter_ask_csat_comment", "en")]
    assert _stored(stack, sender) == [(5, None, "bot")]

    for goodbye in ("88", "886"):
        sender = _sender("zh-csat-88")
        stack.say(sender, "再见")
        assert stack.say(sender, goodbye) == []
        assert _stored(stack, sender) == []
        # The survey is over: not asked again.
        assert stack.say(sender, "再见") == [response_text("utter_goodbye", "zh")]


def test_after_an_agent_hands_back_the_score_is_asked(stack) -> None:
    sender = _sender("zh-agent")
    stack.say(sender, "你好")
    reply = requests.post(
        f"{stack.rasa_url}/conversations/{sender}/trigger_intent",
        params={"token": stack.environment["KEFU_RASA_TOKEN"], "output_channel": "latest"},
        json={"name": "EXTERNAL_handoff_resolved", "entities": {}},
        timeout=30,
    )
    assert reply.status_code == 200
    assert [m["text"] for m in reply.json()["messages"]] == [
        response_text("utter_handoff_resolved", "zh"), response_text("utter_ask_csat_score", "zh")]
    assert stack.say(sender, "1") == [response_text("utter_ask_csat_comment", "zh")]
    assert stack.say(sender, "等太久了") == [response_text("utter_csat_thanks", "zh")]
    assert _stored(stack, sender) == [(1, "等太久了", "agent")]  # an agent handed back


def test_kpi_report_over_the_stack(stack) -> None:
    sender = _sender("kpi")
    stack.say(sender, "bye")
    stack.say(sender, "5")
    stack.say(sender, "no")
    reply = requests.get(
        f"{stack.handoff_url}/api/v1/kpi",
        headers={"Authorization": f"Bearer {stack.environment['KEFU_SERVICE_TOKEN']}"},
        timeout=30,
    )
    assert reply.status_code == 200
    report = reply.json()
    assert report["conversations"] >= 1 and report["csat_responses"] >= 1
    assert 0 <= report["csat_percent"] <= 100


def _queued(language: str) -> re.Pattern[str]:
    template = response_text("utter_handoff_queued_no_estimate", language, queue_position="@")
    return re.compile(re.escape(template).replace("@", r"\d+"))


def test_a_profile_change_asked_for_at_the_comment_is_served_and_the_score_kept(stack) -> None:
    sender = _sender("zh-csat-profile")
    stack.say(sender, "再见")
    assert stack.say(sender, "4") == [response_text("utter_ask_csat_comment", "zh")]
    # Not taken as the comment: the survey ends and the profile flow starts.
    assert stack.say(sender, "我要修改联系地址") == [
        response_text("utter_verify_first", "zh"), response_text("utter_ask_verify_phone", "zh")]
    assert _stored(stack, sender) == [(4, None, "bot")]
    assert stack.tracker_via_api(sender)["active_loop"]["name"] == "profile_form"
    stack.say(sender, "算了")
    # The survey was answered: not asked again, no comment question left over.
    assert stack.say(sender, "再见") == [response_text("utter_goodbye", "zh")]
    assert _stored(stack, sender) == [(4, None, "bot")]


@pytest.mark.usefixtures("someone_on_shift")
def test_a_person_asked_for_at_the_comment_is_reached(stack) -> None:
    sender = _sender("en-csat-person")
    stack.say(sender, "bye")
    assert stack.say(sender, "2") == [response_text("utter_ask_csat_comment", "en")]
    [queued] = stack.say(sender, "I want to talk to a person")
    assert _queued("en").fullmatch(queued), queued
    assert _stored(stack, sender) == [(2, None, "bot")]


@pytest.mark.usefixtures("someone_on_shift")
def test_a_person_asked_for_instead_of_a_score_is_reached(stack) -> None:
    sender = _sender("zh-csat-score-person")
    stack.say(sender, "再见")
    [queued] = stack.say(sender, "转人工")
    assert _queued("zh").fullmatch(queued), queued
    assert _stored(stack, sender) == []


@pytest.mark.parametrize(("language", "goodbye", "comment"), [
    ("zh", "再见", "客服很耐心"), ("zh", "再见", "希望人工客服接通再快一点"),
    ("en", "bye", "too slow"), ("en", "bye", "the agent was rude"), ("en", "bye", "👍"),
])
def test_feedback_is_still_the_comment(stack, language: str, goodbye: str, comment: str) -> None:
    sender = _sender(f"{language}-csat-feedback")
    stack.say(sender, goodbye)
    stack.say(sender, "3")
    assert stack.say(sender, comment) == [response_text("utter_csat_thanks", language)]
    assert _stored(stack, sender) == [(3, comment, "bot")]


def test_a_ticket_resolved_during_the_survey_is_told_then_the_score_asked_again(stack) -> None:
    """The outcome arrives while the customer is asked for a score: they hear the outcome (it
    used to be read as an unclear score, and lost), then the score question again."""
    from tests.integration.test_complaint import TICKET_NUMBER, _resolve

    sender = _sender("zh-survey-resolved")
    stack.say(sender, "我要投诉，信用卡被重复扣了两次年费共300元，11月3日")
    stack.say(sender, '/inform{"choice": "refund"}')
    stack.say(sender, '/inform{"choice": "this_channel"}')
    [received] = stack.say(sender, "/affirm")
    number = TICKET_NUMBER.search(received).group(0)
    assert stack.say(sender, "再见")[-1] == response_text("utter_ask_csat_score", "zh")

    assert _resolve(stack, number, "已退回300元").json()["customer_notified"] is True
    said = [e["text"] for e in stack.tracker_via_api(sender)["events"] if e["event"] == "bot"]
    assert said[-2:] == [
        response_text("utter_ticket_resolved", "zh", ticket_number=number,
                      resolution="已退回300元"),
        response_text("utter_ask_csat_score", "zh")]
    assert stack.say(sender, "5") == [response_text("utter_ask_csat_comment", "zh")]
