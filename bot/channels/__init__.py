"""kefu's input channels (Rasa extension point: InputChannel subclasses)."""
