"""Documents: the API (``router``), its service, the presigned S3 upload and the reindex message (``s3``)."""
