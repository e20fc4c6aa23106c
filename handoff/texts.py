"""What the service says to customers (in their language) and the agents' canned replies."""

from __future__ import annotations

from typing import Dict, List

NOTICES: Dict[str, Dict[str, str]] = {
    "queue_position": {
        "zh": "您现在排在第 {position} 位，预计等待约 {minutes} 分钟。感谢您的耐心等候。",
        "en": "You are now number {position} in the queue; the expected wait is about "
              "{minutes} min. Thank you for your patience.",
    },
    # No agent who could take the conversation is online: no figure would be honest.
    "queue_position_unknown": {
        "zh": "您现在排在第 {position} 位。目前暂无可接待您的客服专员，因此暂时无法估计等待时间；"
              "专员一有空会立即为您接入，感谢您的耐心等候。",
        "en": "You are now number {position} in the queue. No colleague who can take your "
              "conversation is available at the moment, so we cannot yet say how long it "
              "will be; one will be with you as soon as they are free. Thank you for your "
              "patience.",
    },
    # Asked how long while an agent is being offered the conversation.
    "agent_coming": {
        "zh": "客服专员正在接入您的会话，请您稍候。",
        "en": "A colleague is picking up your conversation now. Please hold on a moment.",
    },
    "agent_joined": {
        "zh": "您好，客服专员{name}已为您接入，请问有什么可以帮您？",
        "en": "Hello, this is {name} from the bank. I have your conversation and I am "
              "here to help.",
    },
    "agent_left": {
        "zh": "非常抱歉，为您服务的客服专员暂时离开。您仍保留原来的排队位置，"
              "我们会尽快为您安排其他专员。",
        "en": "We are sorry: the agent helping you had to step away. You keep your place "
              "in the queue, and another agent will be with you shortly.",
    },
    # A supervisor moved the conversation to a colleague: its agent can no longer help.
    "reassigned": {
        "zh": "非常抱歉，为您服务的客服专员暂时无法继续为您服务，我们已为您安排另一位专员，"
              "请您稍候。",
        "en": "We are sorry: the agent who was helping you is not available at the moment, "
              "so we have passed your conversation to a colleague, who will be with you "
              "shortly.",
    },
    "continued": {
        "zh": "您好，您与人工客服的会话仍在进行中，客服专员会在这里继续为您服务。",
        "en": "Hello again. Your conversation with our customer service team is still "
              "open; your agent will continue to help you here.",
    },
    # Shown to the agent (a line in the transcript), in the conversation's language.
    "channel_joined": {
        "zh": "客户已换到另一渠道继续本次会话（见渠道标记），您的回复将发送到该渠道。",
        "en": "The customer continued this conversation on another channel (see its "
              "badge); your replies now go there.",
    },
    "transferred": {
        "zh": "为了更好地帮助您，您的会话已转接给更合适的专员，请稍候。",
        "en": "To help you best, your conversation has been passed to a colleague who "
              "specialises in this. Please hold on a moment.",
    },
}

CANNED_REPLIES: Dict[str, List[str]] = {
    "zh": [
        "您好，请问有什么可以帮您？",
        "非常理解您的心情，我马上为您核实处理。",
        "请您稍等，我正在为您查询。",
        "为保障您的资金安全，请勿向任何人透露验证码和密码。",
        "您的问题我已记录，我们会在 24 小时内回复您。",
        "请问还有其他可以帮您的吗？",
        "感谢您的耐心，祝您生活愉快！",
    ],
    "en": [
        "Hello, how can I help you today?",
        "I understand how frustrating this is; I will look into it right away.",
        "Please hold on a moment while I check this for you.",
        "For your security, never share a verification code or password with anyone.",
        "I have recorded your request; we will get back to you within 24 hours.",
        "Is there anything else I can help you with?",
        "Thank you for your patience. Have a good day!",
    ],
}


def notice(kind: str, language: str, **values: object) -> str:
    templates = NOTICES[kind]
    return templates.get(language, templates["zh"]).format(**values)
