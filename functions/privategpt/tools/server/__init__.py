"""The built-in MCP server: its tools (``documents``, ``files``, ``system``), assembled by ``build``, served over
Streamable HTTP (``http``, with the OAuth protected-resource metadata of ``metadata``) and stdio (``stdio``)."""
