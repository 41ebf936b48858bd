"""The OpenAI-compatible API (``/v1`` on the streaming app): models, chat completions, embeddings."""
