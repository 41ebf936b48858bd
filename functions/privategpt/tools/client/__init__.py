"""The chat's MCP client: the servers it may use (``config``), their tools (``catalog``), one turn's calls
(``session``), and the guard on the operator's HTTP servers' addresses (``ssrf``)."""
