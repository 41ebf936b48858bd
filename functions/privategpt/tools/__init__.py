"""MCP tools: the built-in server (``server/``), the client the chat uses (``client/``), and ``GET /api/tools``."""
