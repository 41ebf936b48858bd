"""pynamodb models over the single table (keys in ``storage.table``).

One base model carries the keys; each entity is a subclass told apart by the ``kind`` discriminator, so a
query over a mixed key range (a conversation and its messages) yields the right class per item.
"""

from __future__ import annotations

from typing import cast

from pynamodb.attributes import (
    Attribute,
    BinaryAttribute,
    BooleanAttribute,
    DiscriminatorAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from privategpt.storage import table


def _nullable_text(attr_name: str | None = None) -> Attribute[str | None]:
    # pynamodb types every UnicodeAttribute as str; these may hold None.
    return cast("Attribute[str | None]", UnicodeAttribute(null=True, attr_name=attr_name))


class ConversationsByUpdated(GlobalSecondaryIndex["TableItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = table.GSI1
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True, attr_name=table.GSI1PK)
    gsi1sk = UnicodeAttribute(range_key=True, attr_name=table.GSI1SK)


class TableItem(Model):
    class Meta:
        table_name = "privategpt"  # rebound from settings by storage.db.bind()
        region = "us-east-1"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True, attr_name=table.PK)
    sk = UnicodeAttribute(range_key=True, attr_name=table.SK)
    kind = DiscriminatorAttribute(attr_name=table.KIND_ATTRIBUTE)
    gsi1pk = _nullable_text(table.GSI1PK)
    gsi1sk = _nullable_text(table.GSI1SK)
    by_updated = ConversationsByUpdated()


class UserItem(TableItem, discriminator="user"):
    user_id = UnicodeAttribute()
    issuer = UnicodeAttribute()
    subject = UnicodeAttribute()
    email = _nullable_text()
    name = _nullable_text()
    created_at = UTCDateTimeAttribute()
    last_seen_at = UTCDateTimeAttribute()


class ConversationItem(TableItem, discriminator="conversation"):
    conversation_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    title = UnicodeAttribute()
    model = _nullable_text()
    system_prompt_id = _nullable_text()
    tools = _nullable_text()  # JSON list of the enabled tools (server names or "server/tool" ids); None: defaults
    status = UnicodeAttribute(default="active")
    message_count = NumberAttribute(default=0)
    input_tokens = NumberAttribute(default=0)
    output_tokens = NumberAttribute(default=0)
    total_tokens = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    deleted_at = UTCDateTimeAttribute(null=True)


class MessageItem(TableItem, discriminator="message"):
    message_id = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    role = UnicodeAttribute()
    content = UnicodeAttribute()
    model = _nullable_text()
    provider = _nullable_text()
    input_tokens = NumberAttribute(default=0)
    output_tokens = NumberAttribute(default=0)
    total_tokens = NumberAttribute(default=0)
    token_count = NumberAttribute(default=0)  # this message's own size, for building later contexts
    status = UnicodeAttribute(default="complete")
    thinking = _nullable_text()
    stop_reason = _nullable_text()
    error_code = _nullable_text()
    latency_ms = NumberAttribute(null=True)
    time_to_first_token_ms = NumberAttribute(null=True)
    usage_estimated = BooleanAttribute(null=True)  # True: counted by us, the provider reported no usage
    sources = _nullable_text()  # JSON list of the cited sources (rag), on assistant messages
    tool_calls = _nullable_text()  # JSON list of the turn's tool calls with their results (chat/tool_loop.py)
    created_at = UTCDateTimeAttribute()


class PromptItem(TableItem, discriminator="prompt"):
    prompt_id = UnicodeAttribute()
    owner_id = _nullable_text()  # None for a global prompt
    name = UnicodeAttribute()
    content = UnicodeAttribute()
    model_pattern = _nullable_text()
    is_default = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class UsageItem(TableItem, discriminator="usage"):
    day = UnicodeAttribute()
    model = UnicodeAttribute()
    requests = NumberAttribute(default=0)
    unpriced_requests = NumberAttribute(default=0)
    input_tokens = NumberAttribute(default=0)
    output_tokens = NumberAttribute(default=0)
    total_tokens = NumberAttribute(default=0)
    cost_nano_usd = NumberAttribute(default=0)


class StreamSessionItem(TableItem, discriminator="stream"):
    """Phase 1 of a streamed reply, waiting for its one GET. Keyed by the token's hash, never the token."""

    user_id = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    user_message_id = UnicodeAttribute()
    model = UnicodeAttribute()
    system_prompt_id = _nullable_text()
    options = UnicodeAttribute()  # JSON of the chat options
    plan = BinaryAttribute(null=True, legacy_encoding=False)  # the planned provider request (see chat/plan.py)
    created_at = UTCDateTimeAttribute()
    expires_at = NumberAttribute(attr_name=table.TTL_ATTRIBUTE)  # epoch seconds: DynamoDB TTL
    consumed_at = UTCDateTimeAttribute(null=True)


class ApiKeyItem(TableItem, discriminator="api_key"):
    """An API key as its owner lists it (``USER#<id>`` / ``APIKEY#<key id>``): never the key, only its prefix."""

    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    prefix = UnicodeAttribute()  # the key's first characters, to recognise it
    key_hash = UnicodeAttribute()  # SHA-256 of the key: the lookup item's key, for revoking
    created_at = UTCDateTimeAttribute()
    expires_at = NumberAttribute(null=True, attr_name=table.TTL_ATTRIBUTE)  # epoch seconds; DynamoDB TTL
    last_used_at = UTCDateTimeAttribute(null=True)


class ApiKeyLookupItem(TableItem, discriminator="api_key_lookup"):
    """What a presented key resolves to (``APIKEY#<sha256 of the key>``): its owner, with one GetItem."""

    key_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    issuer = UnicodeAttribute()
    subject = UnicodeAttribute()
    roles = UnicodeAttribute(default="[]")  # JSON list: the owner's roles when the key was made (never admin)
    expires_at = NumberAttribute(null=True, attr_name=table.TTL_ATTRIBUTE)


class DocumentItem(TableItem, discriminator="document"):
    """An uploaded document and its ingestion state (``documents/`` and ``rag/ingest``).

    Status: ``uploading`` → ``processing`` (``progress`` 0-100) → ``ready``, or ``failed`` (``error``, a
    reason a person understands; ``error_code``); ``deleting`` while its object and chunks are removed.
    ``generation`` goes up on each reindex: an ingestion message of an older generation is dropped.
    ``next_chunk`` is the checkpoint of an ingestion that continues in another invocation.
    """

    document_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()  # as declared at upload
    detected_type = _nullable_text()  # as found in the content by ingestion
    size = NumberAttribute()  # declared, enforced by the upload policy
    object_key = UnicodeAttribute()
    status = UnicodeAttribute(default="uploading")
    progress = NumberAttribute(default=0)
    pages = NumberAttribute(null=True)
    chunks = NumberAttribute(default=0)
    next_chunk = NumberAttribute(default=0)
    generation = NumberAttribute(default=1)
    embedding_model = _nullable_text()
    error = _nullable_text()
    error_code = _nullable_text()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    uploaded_at = UTCDateTimeAttribute(null=True)
    ready_at = UTCDateTimeAttribute(null=True)


ALL_MODELS: tuple[type[TableItem], ...] = (
    TableItem,
    UserItem,
    ConversationItem,
    MessageItem,
    PromptItem,
    UsageItem,
    StreamSessionItem,
    DocumentItem,
)


class LimitsBucketItem(TableItem, discriminator="limits_bucket"):
    """A user's rate buckets (``storage/limits.py`` writes it with low-level conditional updates).

    ``rpm_tat``: the requests bucket's theoretical arrival time, epoch milliseconds. ``tpd_tat``: the tokens
    bucket's, in tokens of ``tpd_limit`` per day (epoch ms x limit / 86,400,000), so a reply's tokens are one ADD.
    """

    rpm_tat = NumberAttribute(null=True)
    tpd_tat = NumberAttribute(null=True)
    tpd_limit = NumberAttribute(null=True)


class LimitsOverrideItem(TableItem, discriminator="limits_override"):
    """An admin's limits for one user: ``limits`` is JSON of the fields set (null: no limit); the rest default."""

    limits = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
