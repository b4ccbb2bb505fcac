"""MCP: the servers Chimera ships and the client side that talks to them."""
