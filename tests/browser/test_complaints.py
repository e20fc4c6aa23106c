"""The complaints tab in a browser, against the real stack: agent-wang claims a complaint the
bot filed, notes a call, resolves it and is told what happened to the customer (texted, or
to be called, with the number masked until revealed); colleagues do not see it once claimed."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, Tuple

import pytest
import requests
from playwright.sync_api import Locator, expect
from sqlalchemy import select

from actions.store.database import session_factory
from actions.store.models import Customer, OutboxNotice, Ticket, utc_now
from actions.tickets.announce import TICKET_CHANGES_CHANNEL
from actions.tickets.history import GAVE_UP, gave_up_reason
from actions.tickets.numbers import BANK_TIMEZONE
from actions.tickets.open_complaint import OpenComplaint
from actions.tickets.records import ComplaintDraft
from handoff.outcome.notice import OutcomeNotice
from handoff.outcome.outbox import Due, NoticeOutbox
from tests.browser.test_console import (
    ConsolePage,
    audit_rows,
    known_customer_handoff,
    only_online,
    open_console,
    post_handoff,
    sign_in,
    ticket_row,
)

pytestmark = [
    pytest.mark.integration,
    # The console does not depend on the SQL database: one stack is enough.
    pytest.mark.parametrize("stack", ["sqlite"], indirect=True),
]


def file_complaint(stack, hours_ago: float = 0, **given: Any) -> str:
    """A complaint as the bot's form files it, `hours_ago`; its number."""
    sessions = session_factory(stack.environment["KEFU_DATABASE_URL"])
    filed_at = utc_now() - dt.timedelta(hours=hours_ago)
    draft = {"channel": "rest", "sender_id": f"browser-complaint-{uuid.uuid4().hex[:8]}",
             "language": "zh", "category": "card", "description": "ATM吞卡并扣款500元",
             "desired_outcome": "refund", "amount": "500", "currency": "CNY",
             "card_last_four": "1234", **given}
    return OpenComplaint(sessions, lambda: filed_at)(ComplaintDraft(**draft)).number


def on_complaints_tab(browser, stack, agent_id: str) -> ConsolePage:
    """A console signed in as the agent, showing the Complaints tab."""
    console = open_console(browser, stack)
    sign_in(console, stack, agent_id)
    console.page.get_by_test_id("tab-complaints").click()
    return console


def complaint_item(listing: Locator, number: str) -> Locator:
    """The complaint's line in a list (the queue, mine, the team's)."""
    return listing.locator(f"[data-testid=complaint-item][data-number='{number}']")


def history_line(page, kind: str) -> Locator:
    """The text of the complaint history's line of that kind."""
    return page.locator(f"[data-testid=complaint-history-step][data-kind={kind}] .line-text")


def give_up(stack, number: str, to: str, last_error: str) -> None:
    """The outbox's next attempt at the complaint's text fails too and is its last: given
    up, recorded as a worker records it (the row, the history line, the audit row at once),
    and the consoles told."""
    sessions = session_factory(stack.environment["KEFU_DATABASE_URL"])
    with sessions() as session:
        row = session.execute(select(OutboxNotice).where(
            OutboxNotice.ticket_number == number, OutboxNotice.status == "pending")).scalar_one()
        due = Due(row.id, row.attempts)
    now = utc_now()
    outbox = NoticeOutbox(sessions, "browser-test", lambda: now)
    claim = outbox.claim(due, now + dt.timedelta(hours=2))  # past its next attempt's time
    assert claim is not None
    assert outbox.finish(claim, OutcomeNotice("sms", GAVE_UP, to, gave_up_reason(
        claim.attempts, last_error)), now)
    stack.redis.publish(TICKET_CHANGES_CHANNEL, number)  # as announce_ticket_change does


def colleague_sees(stack, agent_id: str, number: str) -> int:
    """The status another agent gets for the complaint's detail."""
    http = requests.Session()
    http.post(f"{stack.handoff_url}/api/v1/agent/login", timeout=10, json={
        "agent_id": agent_id, "password": stack.agent_passwords[agent_id]}).raise_for_status()
    return http.get(f"{stack.handoff_url}/api/v1/agent/complaints/{number}",
                    timeout=10).status_code


def test_an_agent_claims_a_complaint_resolves_it_and_sees_how_the_customer_heard(
        stack, browser) -> None:
    called = file_complaint(stack, hours_ago=25, contact_preference="phone",
                            contact_phone="021-62345678")
    texted = file_complaint(stack, contact_preference="sms", contact_phone="13912345678",
                            description="年费被重复收取，卡号6222021234567890123")
    urgent = file_complaint(stack, contact_preference="this_channel", emotion="angry",
                            segment="private")  # due after `texted`
    wang = on_complaints_tab(browser, stack, "agent-wang")
    page = wang.page
    expect(page.get_by_test_id("complaints-view")).to_be_visible()

    # The queue: the one past its 24 hours first and marked, then the urgent one (due later).
    queue = page.get_by_test_id("complaints-queue")
    late = complaint_item(queue, called)
    fresh = complaint_item(queue, texted)
    expect(late).to_have_attribute("data-overdue", "true")
    expect(late.get_by_test_id("complaint-overdue")).to_have_text("已超时 Overdue")
    expect(fresh).to_have_attribute("data-overdue", "false")
    expect(fresh.get_by_test_id("priority")).to_have_text("普通 Normal")
    expect(complaint_item(queue, urgent).get_by_test_id("priority")).to_have_text(
        "紧急 Urgent")
    listed = queue.get_by_test_id("complaint-item").evaluate_all(
        "items => items.map((item) => item.dataset.number)")
    assert listed.index(called) < listed.index(urgent) < listed.index(texted)

    # The detail before claiming: the contact masked, nothing to reveal, note or resolve yet.
    late.click()
    view = page.get_by_test_id("complaint-view")
    expect(view).to_have_attribute("data-number", called)
    expect(page.get_by_test_id("complaint-detail-overdue")).to_be_visible()
    # Due in Beijing time, as the customer was told, on a computer set to London time.
    due = ticket_row(stack, number=called).sla_due_at.replace(tzinfo=dt.timezone.utc)
    expect(page.get_by_test_id("complaint-due-at")).to_have_text(
        due.astimezone(BANK_TIMEZONE).strftime("%Y/%m/%d %H:%M"))
    expect(page.get_by_test_id("zone-note")).to_have_text("时间均为北京时间 Times in Beijing time")
    expect(page.get_by_test_id("complaint-owner")).to_have_text("待认领 Unclaimed")
    expect(page.get_by_test_id("complaint-description")).to_have_text("ATM吞卡并扣款500元")
    expect(page.get_by_test_id("complaint-amount")).to_have_text("500 CNY")
    expect(page.get_by_test_id("complaint-card")).to_have_text("**** 1234")
    expect(page.get_by_test_id("complaint-desired-outcome")).to_have_text(
        "退款或赔偿 A refund or compensation")
    expect(page.get_by_test_id("complaint-contact-preference")).to_have_text("电话联系 Phone call")
    expect(page.get_by_test_id("complaint-contact-value")).to_have_text("021-****5678")
    expect(page.get_by_test_id("complaint-contact-reveal")).to_have_count(0)
    expect(page.get_by_test_id("complaint-resolve-form")).to_be_hidden()
    # Where the outcome will go, before anyone resolves it (the outbox's own answer).
    expect(page.get_by_test_id("complaint-notice-to")).to_have_text(
        "结果将通知至：电话（由您致电） The outcome will be sent to: a call you make 021-****5678")

    page.get_by_test_id("complaint-claim").click()
    expect(page.get_by_test_id("complaint-owner")).to_have_attribute("data-owner", "agent-wang")
    # Agents by name, the id beside it.
    expect(page.get_by_test_id("complaint-owner")).to_have_text("处理人 Owner 王晓 (agent-wang)")
    expect(page.get_by_test_id("complaint-claim")).to_be_hidden()
    mine = page.get_by_test_id("complaints-mine")
    expect(mine.locator(f"[data-number='{called}']")).to_be_visible()
    expect(late).to_have_count(0)
    assert ticket_row(stack, number=called).owner_agent_id == "agent-wang"
    # Claimed: a colleague of the complaints team no longer sees it; a supervisor does.
    assert colleague_sees(stack, "agent-smith", called) == 404
    assert colleague_sees(stack, "supervisor-chen", called) == 200

    page.get_by_test_id("complaint-add-note").click()
    expect(page.get_by_test_id("complaint-note-error")).to_have_text(
        "请填写备注内容 Write the note first")
    page.get_by_test_id("complaint-note").fill("已致电客户，未接通")
    page.get_by_test_id("complaint-add-note").click()
    history = page.get_by_test_id("complaint-history-step")
    expect(history.last).to_contain_text("已致电客户，未接通")
    expect(history.last).to_have_attribute("data-actor", "agent-wang")
    expect(history.last.locator(".who")).to_have_text("王晓 (agent-wang)")
    # What kefu wrote, in the interface's languages; the agent's note as written.
    expect(history_line(page, "received")).to_have_text("已受理客户投诉 Complaint received")
    expect(history_line(page, "claimed")).to_have_text(
        "已认领：王晓 (agent-wang) Claimed by 王晓 (agent-wang)")
    expect(history_line(page, "note")).to_have_text("已致电客户，未接通")

    page.get_by_test_id("complaint-resolve").click()  # a resolution is required
    expect(page.get_by_test_id("complaint-resolve-error")).to_contain_text("请填写处理结果")
    page.get_by_test_id("complaint-resolution").fill("经核实，已退回500元至原卡")
    with page.expect_response(lambda r: r.url.endswith(f"/complaints/{called}/resolve")) as done:
        page.get_by_test_id("complaint-resolve").click()
    assert done.value.json()["call_customer"] is True
    outcome = page.get_by_test_id("complaint-outcome")
    expect(outcome).to_have_attribute("data-customer-notified", "false")
    call = outcome.locator("[data-outcome=call_customer]")
    expect(call).to_contain_text("请致电客户：")
    expect(call.get_by_test_id("outcome-contact-value")).to_have_text("021-****5678")
    assert "62345678" not in page.content()
    call.get_by_test_id("outcome-contact-reveal").click()
    expect(call.get_by_test_id("outcome-contact-value")).to_have_text("021-62345678")
    assert [(row.actor, json.loads(row.detail)["via"])
            for row in audit_rows(stack, "ticket.contact_revealed", called)] == [
        ("agent:agent-wang", "complaints")]
    expect(view).to_have_attribute("data-status", "resolved")
    expect(page.get_by_test_id("complaint-resolve-form")).to_be_hidden()
    expect(page.get_by_test_id("complaint-notice-to")).to_have_count(0)  # the history says
    expect(mine.locator(f"[data-number='{called}']")).to_have_count(0)
    resolved: Ticket = ticket_row(stack, number=called)
    assert (resolved.status, resolved.resolution) == ("resolved", "经核实，已退回500元至原卡")

    # The one who chose a text: texted through the SMS gateway, the number shown masked.
    fresh.click()
    expect(view).to_have_attribute("data-number", texted)
    expect(page.get_by_test_id("complaint-description")).to_have_text(
        "年费被重复收取，卡号***************0123")
    page.get_by_test_id("complaint-claim").click()
    expect(page.get_by_test_id("complaint-resolve-form")).to_be_visible()
    page.get_by_test_id("complaint-resolution").fill("已退回重复收取的年费200元")
    page.get_by_test_id("complaint-resolve").click()
    texted_line = outcome.locator("[data-outcome=sms_sent]")
    expect(texted_line).to_have_text("已短信通知客户 The customer was texted (+86139****5678)")
    expect(outcome).to_have_attribute("data-customer-notified", "true")
    assert stack.twilio.wait_for("+8613912345678", 1)
    page.get_by_test_id("ui-language").select_option("zh")
    expect(texted_line).to_have_text("已短信通知客户 (+86139****5678)")
    expect(history_line(page, "claimed")).to_have_text("已认领：王晓 (agent-wang)")
    page.get_by_test_id("ui-language").select_option("en")
    expect(texted_line).to_have_text("The customer was texted (+86139****5678)")
    expect(history_line(page, "claimed")).to_have_text("Claimed by 王晓 (agent-wang)")
    expect(history_line(page, "outcome")).to_have_text(
        "The customer was texted (+86139****5678)")
    expect(page.get_by_test_id("tab-complaints")).to_contain_text("Complaints")
    wang.assert_clean()
    wang.context.close()


def complaint_counts(console, stack) -> Tuple[int, int]:
    """How many complaints wait in the queue and how many are the agent's, as the service says."""
    lists = console.context.request.get(f"{stack.handoff_url}/api/v1/agent/complaints").json()
    return len(lists["queue"]), len(lists["mine"])


def test_the_tab_names_its_counts_and_the_status_line_says_what_was_done_last(
        stack, browser) -> None:
    number = file_complaint(stack, contact_preference="this_channel")
    wang = on_complaints_tab(browser, stack, "agent-wang")
    page = wang.page
    item = complaint_item(page.get_by_test_id("complaints-queue"), number)
    expect(item).to_be_visible()
    queue, mine = complaint_counts(wang, stack)
    # Labelled in the interface's languages, readable without hovering.
    tab_count = page.get_by_test_id("complaints-tab-count")
    expect(tab_count).to_have_text(f"待认领 {queue} · 我的 {mine} Queue {queue} · Mine {mine}")
    page.get_by_test_id("ui-language").select_option("zh")
    expect(tab_count).to_have_text(f"待认领 {queue} · 我的 {mine}")
    page.get_by_test_id("ui-language").select_option("en")
    expect(tab_count).to_have_text(f"Queue {queue} · Mine {mine}")

    item.click()
    expect(page.get_by_test_id("complaint-notice-to")).to_have_text(
        "No notice will be sent: the customer chose to be answered in their conversation")
    page.get_by_test_id("complaint-claim").click()
    expect(tab_count).to_have_text(f"Queue {queue - 1} · Mine {mine + 1}")
    status = page.get_by_test_id("status-message")
    expect(status).to_have_text(f"Claimed · {number}")
    page.get_by_test_id("complaint-note").fill("已致电客户，未接通")
    page.get_by_test_id("complaint-add-note").click()
    expect(status).to_have_text("Note added")
    # Resolved next: the status line says so, not what the note said.
    page.get_by_test_id("complaint-resolution").fill("经核实，已退回500元至原卡")
    page.get_by_test_id("complaint-resolve").click()
    expect(page.get_by_test_id("complaint-view")).to_have_attribute("data-status", "resolved")
    expect(status).to_have_text(f"Ticket resolved · {number}")
    expect(tab_count).to_have_text(f"Queue {queue - 1} · Mine {mine}")
    wang.assert_clean()
    wang.context.close()


def test_a_text_not_delivered_yet_is_retried_and_one_given_up_asks_for_a_call(
        stack, browser) -> None:
    """And an e-mail with nothing to send it (the test stack has no SMTP relay): the agent is
    told before resolving, and after; both stay marked in the list until the customer is
    told."""
    with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
        chen = session.execute(select(Customer.id).where(
            Customer.customer_number == "C0002")).scalar_one()  # 13900139002
    mailed = file_complaint(stack, contact_preference="email", customer_id=chen)
    number = file_complaint(stack, contact_preference="sms", contact_phone="13712345678")
    wang = on_complaints_tab(browser, stack, "agent-wang")
    page = wang.page

    # Before resolving: the e-mail cannot go, here and beside the resolution; call instead.
    complaint_item(page.get_by_test_id("complaints-queue"), mailed).click()
    warning = ("客户选择邮件通知，但系统未配置邮件发送：请致电客户告知结果 The customer chose "
               "e-mail, but e-mail is not set up: please call the customer +86****9002")
    expect(page.get_by_test_id("complaint-notice-to")).to_have_text(warning)
    page.get_by_test_id("complaint-claim").click()
    resolve_warning = page.get_by_test_id("complaint-resolve-warning")
    expect(resolve_warning).to_be_visible()
    expect(resolve_warning).to_have_text(warning)
    page.get_by_test_id("complaint-resolution").fill("已退回重复收取的年费200元")
    page.get_by_test_id("complaint-resolve").click()
    outcome = page.get_by_test_id("complaint-outcome")
    expect(outcome.locator("[data-outcome=email_not_configured]")).to_have_text(
        "邮件未发送：未配置邮件服务器 E-mail not sent: no SMTP relay configured (c***@example.com)")
    expect(outcome.locator("[data-outcome=call_instead]")).to_have_text(
        "客户未收到短信或邮件通知，请致电客户告知结果： "
        "The text or e-mail did not reach the customer: please call them with the outcome: "
        "+86****9002")
    expect(outcome).not_to_contain_text("已邮件通知")
    expect(outcome).to_have_attribute("data-customer-notified", "false")
    mine = page.get_by_test_id("complaints-mine")
    expect(complaint_item(mine, mailed).get_by_test_id("complaint-undelivered")).to_have_text(
        "未送达 Not delivered")
    expect(page.get_by_test_id("complaint-detail-undelivered")).to_be_visible()

    complaint_item(page.get_by_test_id("complaints-queue"), number).click()
    page.get_by_test_id("complaint-claim").click()
    page.get_by_test_id("complaint-resolution").fill("已退回重复收取的年费200元")
    stack.twilio.outage = [503] * 3  # the gateway's three quick tries of the first attempt
    try:
        page.get_by_test_id("complaint-resolve").click()
        outcome = page.get_by_test_id("complaint-outcome")
        retrying = outcome.locator("[data-outcome=sms_retrying]")
        expect(retrying).to_have_text("发送暂未成功，系统将自动重试 "
                                      "Not delivered yet; retrying automatically (+86137****5678)")
        expect(retrying).to_have_attribute("title", "gateway answered 503")
        expect(outcome).to_have_attribute("data-customer-notified", "false")
    finally:
        stack.twilio.outage = []

    # Its last attempt fails too: the history, refreshed live, asks the agent to call.
    give_up(stack, number, "+86137****5678", "gateway answered 503")
    gave_up = page.locator("[data-testid=complaint-history-step][data-kind=outcome] "
                           "[data-outcome=sms_gave_up]")
    expect(gave_up).to_have_text(
        "多次发送失败，请电话联系客户 "
        "Could not be delivered after several attempts; please call the customer (+86137****5678)")
    expect(gave_up).to_have_attribute("title", "gave up after 2 attempts: gateway answered 503")
    page.get_by_test_id("ui-language").select_option("zh")
    expect(gave_up).to_have_text("多次发送失败，请电话联系客户 (+86137****5678)")
    assert stack.twilio.sent_to("+8613712345678") == []

    # Both wait in "mine", marked, the earlier failure first, until the agent has called.
    undelivered = page.get_by_test_id("complaint-undelivered-notice")
    expect(undelivered).to_contain_text("客户未收到短信或邮件通知，请致电客户告知结果：137****5678")
    # The resolve answer said "retrying"; it now says what finally happened.
    expect(outcome.locator("[data-outcome=sms_gave_up]")).to_be_visible()
    expect(outcome.locator("[data-outcome=sms_retrying]")).to_have_count(0)
    for item in (complaint_item(mine, mailed), complaint_item(mine, number)):
        expect(item).to_have_attribute("data-undelivered", "true")
    listed = mine.get_by_test_id("complaint-item").evaluate_all(
        "items => items.map((item) => item.dataset.number)")
    assert listed.index(mailed) < listed.index(number)
    undelivered.get_by_test_id("complaint-told").click()
    expect(page.get_by_test_id("status-message")).to_have_text(
        f"已记录：已告知客户处理结果 · {number}")
    expect(history_line(page, "outcome_told")).to_have_text("王晓 (agent-wang) 已告知客户处理结果")
    expect(undelivered).to_have_count(0)
    expect(complaint_item(mine, number)).to_have_count(0)
    expect(complaint_item(mine, mailed)).to_have_attribute("data-undelivered", "true")
    assert [row.actor for row in audit_rows(stack, "ticket.outcome_told", number)] == [
        "agent:agent-wang"]
    wang.assert_clean()
    wang.context.close()


def test_a_supervisor_sees_who_has_which_complaint_and_reassigns_one(stack, browser) -> None:
    number = file_complaint(stack, contact_preference="this_channel")
    wang = requests.Session()
    signed_in = wang.post(f"{stack.handoff_url}/api/v1/agent/login", timeout=10, json={
        "agent_id": "agent-wang", "password": stack.agent_passwords["agent-wang"]})
    wang.post(f"{stack.handoff_url}/api/v1/agent/complaints/{number}/claim", timeout=10,
              headers={"X-CSRF-Token": signed_in.json()["csrf_token"]}).raise_for_status()

    chen = on_complaints_tab(browser, stack, "supervisor-chen")
    page = chen.page
    claimed = complaint_item(page.get_by_test_id("complaints-team"), number)
    expect(claimed.get_by_test_id("complaint-item-owner")).to_have_text("王晓")
    expect(claimed.get_by_test_id("complaint-item-owner")).to_have_attribute(
        "title", "处理人 Owner agent-wang")
    claimed.click()
    expect(page.get_by_test_id("complaint-owner")).to_have_attribute("data-owner", "agent-wang")
    expect(page.get_by_test_id("complaint-claim")).to_be_hidden()

    page.get_by_test_id("complaint-reassign-agent").fill("agent-zhao")  # no complaints skill
    page.get_by_test_id("complaint-reassign").click()
    expect(page.get_by_test_id("error-message")).to_contain_text("该坐席不在投诉处理组")
    # The complaints team is offered by name (the owner left out); a full name will do.
    choices = page.get_by_test_id("complaint-agents")
    expect(choices.locator("option[value=agent-smith]")).to_have_attribute("label", "Alex Smith")
    expect(choices.locator("option[value=agent-wang]")).to_have_count(0)
    page.get_by_test_id("complaint-reassign-agent").fill("Alex Smith")
    page.get_by_test_id("complaint-reassign").click()
    expect(page.get_by_test_id("complaint-owner")).to_have_attribute("data-owner", "agent-smith")
    # The refusal before it is no longer shown beside the reassignment's result.
    expect(page.get_by_test_id("status-message")).to_have_text(
        f"已改派给 Reassigned to Alex Smith (agent-smith) · {number}")
    assert page.get_by_test_id("error-message").is_hidden()
    expect(history_line(page, "reassigned")).to_have_text(
        "陈主管 (supervisor-chen) 已将投诉由 王晓 (agent-wang) 改派给 Alex Smith (agent-smith) "
        "Reassigned from 王晓 (agent-wang) to Alex Smith (agent-smith) by 陈主管 (supervisor-chen)")
    assert ticket_row(stack, number=number).owner_agent_id == "agent-smith"
    chen.assert_clean()
    chen.context.close()


def test_resolving_a_ticket_in_a_conversation_also_says_how_the_customer_hears(
        stack, browser) -> None:
    """The context panel's resolve answers with the same outcome notice (no SMTP relay on the
    test stack: the e-mail is not sent, and the agent is told so; a text the gateway refuses
    for now is to be retried)."""
    sender = f"browser-mail-{uuid.uuid4().hex[:8]}"
    mailed = file_complaint(stack, sender_id=sender, language="en",
                            contact_preference="email", contact_email="li.lei@example.com")
    texted = file_complaint(stack, sender_id=sender, language="en",
                            contact_preference="sms", contact_phone="13612345678")
    only_online(stack, "agent-wang")
    handoff = known_customer_handoff(sender)
    handoff["open_tickets"] = [{"number": number, "category": "card", "status": "open"}
                               for number in (mailed, texted)]
    post_handoff(stack, handoff)
    wang = open_console(browser, stack)
    sign_in(wang, stack, "agent-wang")
    page = wang.page
    page.locator(f"[data-testid=conversation-item][data-conversation-id='{sender}']").click()
    page.get_by_test_id("accept-button").click()
    status = page.get_by_test_id("status-message")
    expect(status).to_have_text("已接入会话 Conversation accepted")
    ticket = page.get_by_test_id("open-tickets").locator(
        f"[data-testid=ticket][data-ticket-number='{mailed}']")
    texted_ticket = page.get_by_test_id("open-tickets").locator(
        f"[data-testid=ticket][data-ticket-number='{texted}']")
    ticket.get_by_test_id("ticket-resolve").click()
    page.get_by_test_id("ticket-resolution").fill("We refunded the fee.")
    page.get_by_test_id("ticket-resolve-confirm").click()
    banner = page.get_by_test_id("ticket-banner")
    expect(banner.locator("[data-outcome=email_not_configured]")).to_have_text(
        "邮件未发送：未配置邮件服务器 E-mail not sent: no SMTP relay configured (l***@example.com)")
    assert status.is_hidden()  # the banner tells of the resolve; "accepted" is no longer news

    # A text the gateway refuses for now (503 to each of its three quick tries): the outbox
    # tries again, and the agent is told so.
    stack.twilio.outage = [503] * 3
    try:
        texted_ticket.get_by_test_id("ticket-resolve").click()
        page.get_by_test_id("ticket-resolution").fill("We refunded the fee.")
        page.get_by_test_id("ticket-resolve-confirm").click()
        retrying = banner.locator("[data-outcome=sms_retrying]")
        expect(retrying).to_have_text("发送暂未成功，系统将自动重试 "
                                      "Not delivered yet; retrying automatically (+86136****5678)")
        expect(retrying).to_have_attribute("title", "gateway answered 503")
        expect(banner).to_have_attribute("data-customer-notified", "false")
    finally:
        stack.twilio.outage = []
    give_up(stack, texted, "+86136****5678", "gateway answered 503")  # none left to retry
    page.get_by_test_id("resolve-button").click()
    page.get_by_test_id("resolve-confirm").click()
    expect(page.get_by_test_id("conversation-view")).to_have_attribute("data-status", "resolved")
    wang.assert_clean()
    wang.context.close()
