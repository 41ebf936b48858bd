"""The single table's key schema, defined once.

Plain data (no pynamodb, no boto3) so the CDK stack and the local table creation read the same spec.

Items and their keys (``<u>`` is the user id, ``<c>``/``<m>``/``<p>`` are time-ordered ids):

| item               | PK            | SK                  | GSI1PK (sparse)  | GSI1SK                |
|--------------------|---------------|---------------------|------------------|-----------------------|
| user profile       | ``USER#<u>``  | ``PROFILE``         |                  |                       |
| conversation       | ``USER#<u>``  | ``CONV#<c>``        | ``USER#<u>#CONV``| ``<updated_at>#<c>``  |
| message            | ``USER#<u>``  | ``CONV#<c>#MSG#<m>``|                  |                       |
| user's prompt      | ``USER#<u>``  | ``PROMPT#<p>``      |                  |                       |
| global prompt      | ``GLOBAL``    | ``PROMPT#<p>``      |                  |                       |
| usage counter      | ``USER#<u>``  | ``USAGE#<day>#<m>`` |                  |                       |
| stream session     | ``STREAM#<h>``| ``STREAM``          |                  |                       |
| document           | ``USER#<u>``  | ``DOC#<d>``         |                  |                       |
| limits bucket      | ``USER#<u>``  | ``LIMITS#BUCKET``   |                  |                       |
| limits override    | ``USER#<u>``  | ``LIMITS#OVERRIDE`` |                  |                       |

Access patterns:
- a user's conversations, newest updated first: Query GSI1 on ``USER#<u>#CONV``, descending. Only
  active conversations carry GSI1 keys, so a soft delete removes the keys and the item leaves the list.
- a conversation with its messages in order: Query PK ``USER#<u>``, SK begins_with ``CONV#<c>``; the
  conversation sorts first, then its messages by id (time-ordered).
- a conversation's messages page by page: SK begins_with ``CONV#<c>#MSG#``.
- append a message: one transaction puts the message and ADDs to the conversation's counters, on the
  condition that the conversation is active.
- hard delete: mark deleted (blocks appends), then batch-delete everything under ``CONV#<c>``.
- a user's prompts: PK ``USER#<u>``, SK begins_with ``PROMPT#``; global prompts: PK ``GLOBAL``.
- a user's usage over a date range: PK ``USER#<u>``, SK between ``USAGE#<from>`` and ``USAGE#<to>#~``
  (``<m>`` is the qualified model id); counters change only by atomic ADD.

- a stream session by its token: GetItem/UpdateItem on ``STREAM#<sha256 of the token>``; consumed once by a
  conditional write; ``expires_at`` (epoch seconds) is the table's TTL attribute, and expiry is also checked
  on read because DynamoDB deletes expired items lazily.

- a user's documents, newest first: Query PK ``USER#<u>``, SK begins_with ``DOC#``, descending (ids are
  time-ordered). Ingestion finds a document from its S3 key, ``documents/<u>/<d>``.

- a user's rate buckets (requests/minute, tokens/day): one item, changed by one conditional UpdateItem per
  admitted request and one ADD per reply (in the transaction that saves it, or alone) (``storage/limits.py``);
  an admin's override: one item beside it.
"""

from __future__ import annotations

from typing import Any, Final

PK: Final = "PK"
SK: Final = "SK"
GSI1: Final = "GSI1"
GSI1PK: Final = "GSI1PK"
GSI1SK: Final = "GSI1SK"
TTL_ATTRIBUTE: Final = "expires_at"
KIND_ATTRIBUTE: Final = "kind"

GLOBAL_PARTITION: Final = "GLOBAL"
PROFILE_SK: Final = "PROFILE"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def conversation_sk(conversation_id: str) -> str:
    return f"CONV#{conversation_id}"


def message_prefix(conversation_id: str) -> str:
    return f"CONV#{conversation_id}#MSG#"


def conversations_gsi_pk(user_id: str) -> str:
    return f"USER#{user_id}#CONV"


def prompt_sk(prompt_id: str) -> str:
    return f"PROMPT#{prompt_id}"


PROMPT_PREFIX: Final = "PROMPT#"


def stream_pk(token_hash: str) -> str:
    return f"STREAM#{token_hash}"


STREAM_SK: Final = "STREAM"


def api_key_pk(key_hash: str) -> str:
    """The lookup item of an API key: found from the presented key's hash with one GetItem."""
    return f"APIKEY#{key_hash}"


API_KEY_LOOKUP_SK: Final = "APIKEY"
API_KEY_PREFIX: Final = "APIKEY#"


def api_key_sk(key_id: str) -> str:
    """The listing item of an API key, in its owner's partition."""
    return f"{API_KEY_PREFIX}{key_id}"


def document_sk(document_id: str) -> str:
    return f"DOC#{document_id}"


DOCUMENT_PREFIX: Final = "DOC#"


def usage_sk(day: str, model_id: str) -> str:
    return f"USAGE#{day}#{model_id}"


LIMITS_BUCKET_SK: Final = "LIMITS#BUCKET"
LIMITS_OVERRIDE_SK: Final = "LIMITS#OVERRIDE"


#: The table in the shape of DynamoDB's CreateTable (billing, keys and indexes), for local creation and CDK.
TABLE_SPEC: Final[dict[str, Any]] = {
    "AttributeDefinitions": [
        {"AttributeName": PK, "AttributeType": "S"},
        {"AttributeName": SK, "AttributeType": "S"},
        {"AttributeName": GSI1PK, "AttributeType": "S"},
        {"AttributeName": GSI1SK, "AttributeType": "S"},
    ],
    "KeySchema": [
        {"AttributeName": PK, "KeyType": "HASH"},
        {"AttributeName": SK, "KeyType": "RANGE"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": GSI1,
            "KeySchema": [
                {"AttributeName": GSI1PK, "KeyType": "HASH"},
                {"AttributeName": GSI1SK, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}
