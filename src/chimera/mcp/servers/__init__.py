"""MCP servers bundled with Chimera; each runs as a stdio subprocess."""
