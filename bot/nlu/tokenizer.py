"""KefuTokenizer: jieba for text with Chinese characters, a regex for the rest.

Jieba costs about 1 ms a message even on English, where it only splits on
spaces; skipping it for text without Han characters is ten times faster. Long digit
runs become one shape word each (bot/nlu/digit_shapes.py), whose token keeps the span
of the digits in the original text. Training tokens remember their fingerprints
(bot/nlu/fingerprints.py).
"""

from __future__ import annotations

import re
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.digit_shapes import has_digits, shape_digits
from bot.nlu.fingerprints import fingerprinted_tokens

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"\w+")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class KefuTokenizer(JiebaTokenizer):
    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        text = message.get(attribute)
        if attribute != TEXT or not has_digits(text):
            return self._tokenize_text(text)
        shape = shape_digits(text)
        return [Token(token.text, *shape.original_span(token.start, token.end),
                      data=token.data, lemma=token.lemma)
                for token in self._tokenize_text(shape.text)]

    def _tokenize_text(self, text: str) -> List[Token]:
        if _HAN.search(text):
            return super().tokenize(Message(data={TEXT: text}), TEXT)
        tokens = [Token(match.group(0), match.start()) for match in _WORD.finditer(text)]
        return self._apply_token_pattern(tokens)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Rasa fingerprints all training data after each component: cached token hashes.
        training_data = super().process_training_data(training_data)
        for example in training_data.training_examples:
            for name in TOKENS_NAMES.values():
                tokens = example.get(name)
                if tokens:
                    example.set(name, fingerprinted_tokens(tokens))
        return training_data
