"""How a customer feels, from what they write: the labels, the training data, a zh lexicon.

Plain code, free of Rasa, used by bot.nlu.emotion_classifier.EmotionClassifier and by
`make bench-emotion`.

English learns from GoEmotions (Reddit comments, 27 emotions and neutral, multi-label),
mapped onto kefu's labels below, plus kefu's own banking examples (data/emotion/en.yml).
Chinese learns from data/emotion/zh.yml with the lexicon features of `lexicon_features`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, FrozenSet, List, Sequence, Tuple

import numpy as np
import yaml

LABELS = ("neutral", "angry", "anxious", "sad", "happy")
# A comment with several emotions takes the first of these it has: the one an agent must see.
PRIORITY = ("angry", "anxious", "sad", "happy")
# GoEmotions' 27 emotions onto kefu's labels. Anger, annoyance and disgust are what a contact
# center calls anger (disapproval is mostly disagreement, so it stays neutral); fear and
# nervousness are anxiety; disappointment, remorse, embarrassment and grief go with sadness;
# every positive emotion is happy; curiosity, confusion, surprise, realization and desire are
# neutral for a bank.
GOEMOTIONS_GROUPS: Dict[str, FrozenSet[str]] = {
    "angry": frozenset({"anger", "annoyance", "disgust"}),
    "anxious": frozenset({"fear", "nervousness"}),
    "sad": frozenset({"sadness", "grief", "disappointment", "remorse", "embarrassment"}),
    "happy": frozenset({"joy", "amusement", "admiration", "approval", "gratitude", "love",
                        "optimism", "relief", "pride", "excitement", "caring"}),
}


def goemotions_label(names: Sequence[str]) -> str:
    present = set(names)
    return next((label for label in PRIORITY if present & GOEMOTIONS_GROUPS[label]), "neutral")


def load_goemotions(split_path: Path, labels_path: Path) -> Tuple[List[str], List[str]]:
    """Texts and kefu labels of a GoEmotions split (text, label ids, comment id per line)."""
    names = labels_path.read_text().split()
    texts, labels = [], []
    for line in split_path.read_text(encoding="utf-8").splitlines():
        text, ids, _ = line.split("\t")
        texts.append(text)
        labels.append(goemotions_label([names[int(i)] for i in ids.split(",")]))
    return texts, labels


def load_examples(path: Path) -> Tuple[List[str], List[str]]:
    """kefu's own examples: a YAML mapping of label to a list of messages."""
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(content) - set(LABELS)
    if unknown:
        raise ValueError(f"{path}: unknown emotion labels {sorted(unknown)}")
    pairs = [(str(text), label) for label, texts in content.items() for text in texts]
    return [text for text, _ in pairs], [label for _, label in pairs]


# --- the Chinese lexicon ------------------------------------------------------------------
_NEGATED = r"(?<![不没别未无])"
_LEXICON: Sequence[Tuple[str, str]] = (
    ("anger", r"气死|生气|火大|受够|垃圾|破银行|离谱|过分|骗子|坑人|敷衍|无语|烦死|烦不烦|凭什么"
              r"|搞什么|什么玩意|滚|有病|狗屁|强盗|不像话|踢皮球|扯皮|忍无可忍|欺负|有完没完"),
    ("regulator", r"银保监|金融监管|12378|投诉你们|告你们|起诉|曝光|ombudsman|regulator"),
    ("anxiety", r"着急|急死|好急|急用|担心|害怕|怕|慌|紧张|怎么办|不安|焦虑|吓死|救命|求助|万一"
                r"|会不会|来得及|不踏实|七上八下"),
    ("sadness", r"唉|哎|难过|伤心|失望|遗憾|心累|心酸|无奈|沮丧|难受|去世|过世|走了|病了|住院"
                r"|失业|裁员|白费|没希望|放弃|想哭|哭了|无助|委屈"),
    ("happiness", _NEGATED + r"(满意|开心|高兴|感谢|谢谢|多谢|好评|点赞|太好了|太棒|不错|靠谱"
                  r"|方便|贴心|顺利|搞定|放心|赞)"),
    ("negation", r"不|没|别|未|无"),
    ("intensifier", r"太|真的|简直|非常|特别|极|超级|根本|到底|究竟|一直|总是|又"),
    ("repeat", r"第[二三四五六七八九十几]次|又是|再一次|多少遍|多少次|几次了"),
    ("sarcasm", r"呵呵|嗬嗬|真行|真棒啊|就这|厉害了|谢谢你们啊"),
)
_LEXICON_PATTERNS = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _LEXICON]

# --- the English lexicon: the same cues, for bank customers' English -------------------------
# Happiness words right after a negation ("not happy", "isn't great", "don't appreciate") are
# not happiness; "not very happy" is left to the model.
_EN_NEGATED = r"(?<!not )(?<!n't )(?<!n’t )(?<!never )"
# Reddit comments (GoEmotions) rarely accuse a bank, so "you people are thieves" read neutral.
_EN_LEXICON: Sequence[Tuple[str, str]] = (
    ("anger", r"furious|livid|fuming|outraged|fed up|sick of|had enough|ridiculous|unacceptable"
              r"|disgrace\w*|disgusting|useless|incompetent|pathetic|shameless|a joke|joke of a"
              r"|thie(?:f|ves)|steal\w*|stole|crooks?|robbery|rob(?:bed|bing)?|rip[- ]?off"
              r"|scam bank|liars?|lying|cheat\w*|how dare|what the hell|wtf|damn|bloody"),
    ("regulator", r"ombudsman|regulator|financial conduct|sue you|lawyer|legal action"
                  r"|go to the press"),
    ("anxiety", r"worried|scared|afraid|panic\w*|nervous|anxious|urgent\w*|help me|what do i do"
                r"|what should i do|desperate|terrified|can'?t sleep|in danger"),
    ("sadness", r"sad|upset|disappointed|heartbroken|depressed|passed away|died|lost my job"
                r"|hopeless|give up|crying|miserable|devastated"),
    ("happiness", _EN_NEGATED + r"(?:thank\w*|great|happy|glad|appreciate\w*|perfect|awesome"
                  r"|brilliant|helpful|well done|love it)"),
    # "n't" ends a word ("don't"): the \b before it is the one after the whole word.
    ("negation", r"not|no|never|\w+n['’]t|nobody|nothing"),
    ("intensifier", r"so|very|really|absolutely|totally|completely|seriously|always|again|still"),
    ("repeat", r"(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time|again and again"
               r"|how many times|keep (?:asking|telling|calling)"),
    ("sarcasm", r"thanks for nothing|great job|oh great|wonderful service|yeah right|just great"),
)
_EN_LEXICON_PATTERNS = [(name, re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE))
                        for name, pattern in _EN_LEXICON]
_EXCLAMATIONS = re.compile(r"[!！]{2,}")
_QUESTIONS = re.compile(r"[?？]{2,}")
_ELLIPSIS = re.compile(r"…|\.\.\.|。。")
_ANGRY_EMOJI = re.compile("[\U0001F620\U0001F621\U0001F624\U0001F92C\U0001F4A2]")
_SAD_EMOJI = re.compile("[\U0001F622\U0001F62D\U0001F61E\U0001F614\U0001F625\U0001F494]")
_HAPPY_EMOJI = re.compile("[\U0001F600-\U0001F60D\U0001F44D\U0001F44F\U0001F389\u2764\U0001F970]")
_ANXIOUS_EMOJI = re.compile("[\U0001F630\U0001F628\U0001F631\U0001F633\U0001F62C]")
LEXICON_FEATURES = (
    *[name for name, _ in _LEXICON], "exclamations", "questions", "ellipsis",
    "angry_emoji", "sad_emoji", "happy_emoji", "anxious_emoji",
)


def lexicon_features(text: str, language: str = "zh") -> np.ndarray:
    """Counts of emotion cues (capped at 3), in the order of LEXICON_FEATURES, scaled to 0-1;
    the cue words of `language`, the punctuation and emoji of both."""
    patterns = _EN_LEXICON_PATTERNS if language == "en" else _LEXICON_PATTERNS
    counts = [len(pattern.findall(text)) for _, pattern in patterns]
    counts += [len(_EXCLAMATIONS.findall(text)), len(_QUESTIONS.findall(text)),
               len(_ELLIPSIS.findall(text)), len(_ANGRY_EMOJI.findall(text)),
               len(_SAD_EMOJI.findall(text)), len(_HAPPY_EMOJI.findall(text)),
               len(_ANXIOUS_EMOJI.findall(text))]
    return np.minimum(np.asarray(counts, dtype=np.float32), 3.0) / 3.0
