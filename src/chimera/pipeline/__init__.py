"""In-process plumbing the roles share: priority queues, work tracking, crash points, books."""
