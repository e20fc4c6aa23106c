"""Starting kefu's processes: used by `make run` and by the integration tests."""
