"""kefu's custom dialogue policies."""
