"""Lambda entry point for the ingestion queue (SQS event source mapping with ``ReportBatchItemFailures``).

Powertools' batch processor runs each record through ``rag.ingest.process`` and answers with the records that
failed (``batchItemFailures``), so SQS retries only those. ``raise_on_entire_batch_failure=False``: a batch
whose every record failed answers the same way instead of raising (SQS treats both alike, and the local worker
reads one shape). The pipeline and its heavy imports (boto3, numpy, the parsers, the embedder) load on the first
record, not at import. ``privategpt dev``'s worker calls this same ``handler`` with events of the same shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from privategpt.settings import Settings, get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from privategpt.rag.ingest.services import Services

_processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
_services: Services | None = None


def configure(settings: Settings, services: Services | None = None) -> None:
    """Work with these settings (and parts) rather than the environment's: the local worker and tests."""
    global _services
    from privategpt.rag.ingest.services import Services
    from privategpt.storage import db

    db.bind(settings)
    _services = services or Services(settings)


def _current() -> Services:
    if _services is None:
        configure(get_settings())
    assert _services is not None
    return _services


def _record(record: SQSRecord, lambda_context: LambdaContext) -> None:
    from privategpt.rag.ingest.process import process_record

    process_record(record, lambda_context, _current())


def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=_record, processor=_processor, context=context))
