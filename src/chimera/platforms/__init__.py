"""Where approved posts go; the local outbox is the embedded default."""
