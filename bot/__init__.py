"""kefu's Rasa server extensions: NLU components, channels and the event broker."""
