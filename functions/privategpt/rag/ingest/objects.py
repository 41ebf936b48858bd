"""Reading an uploaded document from S3 (never more than the size limit) and removing an orphan object."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from privategpt.rag.errors import DocumentRejected

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_MISSING: Final = frozenset({"NoSuchKey", "404", "NotFound"})
_MB: Final = 1024 * 1024


def too_large(size: int, max_bytes: int) -> DocumentRejected:
    return DocumentRejected(
        f"the file is {size / _MB:.1f} MB; at most {max_bytes / _MB:.1f} MB can be indexed", code="too_large"
    )


def read_object(s3: S3Client, bucket: str, key: str, *, max_bytes: int) -> bytes:
    """The object's bytes. ``DocumentRejected`` when it is gone (``object_missing``) or larger than
    ``max_bytes`` (``too_large``, known from its length before the body is read); other errors propagate."""
    from botocore.exceptions import ClientError

    try:
        response = s3.get_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _MISSING:
            raise DocumentRejected(
                "the uploaded file is no longer in storage: upload the document again", code="object_missing"
            ) from exc
        raise
    body = response["Body"]
    try:
        if response["ContentLength"] > max_bytes:
            raise too_large(response["ContentLength"], max_bytes)
        data = body.read(max_bytes + 1)  # a length header that lied cannot make us read more
    finally:
        body.close()
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    return data


def delete_object(s3: S3Client, bucket: str, key: str) -> None:
    s3.delete_object(Bucket=bucket, Key=key)
