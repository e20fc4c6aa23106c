"""Custom Rasa graph components for kefu's NLU pipeline."""
