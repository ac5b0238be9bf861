"""Fake WeChat and WeCom servers: the platforms' rules, played locally for tests and the demo."""
