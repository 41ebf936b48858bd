"""The per-user file area of the built-in tools: path safety (``paths``), where files live (``stores``: S3 or
the data directory), and the quotas and text rules every store shares (``area``)."""
