"""LocalAWS: moto's S3 and SQS set up as the stack sets up AWS (bucket, CORS, notification, queue, redrive)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from urllib.parse import unquote_plus

import httpx
import pytest

from privategpt.dev.local_aws import LocalAWS
from privategpt.documents import s3
from privategpt.settings import Settings
from privategpt.storage import documents as repository
from privategpt.storage.ids import new_id
from tests.conftest import make_settings
from tests.support.aws import receive

MAX_RECEIVES = 2


@pytest.fixture(scope="module")
def private_aws(settings: Settings, local_aws: LocalAWS) -> Iterator[LocalAWS]:
    """A second LocalAWS with names of its own: its queue sees only this module's events."""
    name = f"la-{uuid.uuid4().hex[:8]}"
    with LocalAWS(
        max_receive_count=MAX_RECEIVES, cors_origins=["http://localhost:5173"], bucket=name, queue=name
    ) as aws:
        yield aws


def test_the_session_instance_is_configured_from_the_settings(settings: Settings, local_aws: LocalAWS) -> None:
    attributes = local_aws.sqs().get_queue_attributes(QueueUrl=local_aws.queue_url, AttributeNames=["All"])
    redrive = json.loads(attributes["Attributes"]["RedrivePolicy"])
    assert int(redrive["maxReceiveCount"]) == settings.ingest_max_receive_count
    assert redrive["deadLetterTargetArn"].endswith(":privategpt-ingest-dlq")
    notification = local_aws.s3().get_bucket_notification_configuration(Bucket=local_aws.bucket)
    [queue] = notification["QueueConfigurations"]
    assert queue["QueueArn"] == attributes["Attributes"]["QueueArn"]
    assert queue["Events"] == ["s3:ObjectCreated:*"]
    assert local_aws.settings_overrides() == {
        "aws_endpoint_url": local_aws.endpoint_url,
        "documents_bucket": local_aws.bucket,
        "ingest_queue_url": local_aws.queue_url,
    }
    assert local_aws.environment()["PGPT_INGEST_QUEUE_URL"] == local_aws.queue_url
    # The overrides make valid settings.
    assert make_settings(**local_aws.settings_overrides()).documents_bucket == local_aws.bucket


def test_a_presigned_upload_reaches_the_queue_with_its_key_url_encoded(private_aws: LocalAWS) -> None:
    settings = make_settings(**private_aws.settings_overrides())
    user_id, document_id = "user one", new_id()  # a space, to see the key's URL encoding
    key = repository.object_key(user_id, document_id)
    upload = s3.presigned_upload(settings, key, content_type="text/plain", size=5)
    form = httpx.post(upload.url, data=upload.fields, files={"file": ("f", b"hello", "text/plain")}, timeout=30)
    assert form.status_code == 204, form.text
    [event] = receive(private_aws, private_aws.queue_url)
    [record] = event["Records"]
    assert record["eventName"].startswith("ObjectCreated:")
    assert record["s3"]["bucket"]["name"] == private_aws.bucket
    encoded = record["s3"]["object"]["key"]
    assert encoded != key
    assert repository.parse_object_key(unquote_plus(encoded)) == (user_id, document_id)
    assert record["s3"]["object"]["size"] == 5
    assert receive(private_aws, private_aws.queue_url, expected=1, wait_seconds=1) == []  # no s3:TestEvent left


def test_a_message_received_too_often_goes_to_the_dead_letter_queue(private_aws: LocalAWS) -> None:
    sqs = private_aws.sqs()
    sqs.send_message(QueueUrl=private_aws.queue_url, MessageBody='{"poison": true}')
    for _ in range(MAX_RECEIVES):
        got = sqs.receive_message(QueueUrl=private_aws.queue_url, VisibilityTimeout=0, WaitTimeSeconds=1)
        assert len(got.get("Messages", [])) == 1
    assert sqs.receive_message(QueueUrl=private_aws.queue_url, WaitTimeSeconds=0).get("Messages", []) == []
    assert receive(private_aws, private_aws.dlq_url) == [{"poison": True}]


def test_cors_lets_only_the_dev_origin_post(private_aws: LocalAWS) -> None:
    [rule] = private_aws.s3().get_bucket_cors(Bucket=private_aws.bucket)["CORSRules"]
    assert rule["AllowedOrigins"] == ["http://localhost:5173"]
    assert rule["AllowedMethods"] == ["POST"]
    url = f"{private_aws.endpoint_url}/{private_aws.bucket}"
    preflight = {"Access-Control-Request-Method": "POST"}
    allowed = httpx.options(url, headers={"Origin": "http://localhost:5173", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert httpx.options(url, headers={"Origin": "http://elsewhere.example", **preflight}).status_code == 403


def test_credentials_are_dummies_inside_and_restored_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "outer-id")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "outer-token")
    name = f"la-{uuid.uuid4().hex[:8]}"
    with LocalAWS(max_receive_count=1, bucket=name, queue=name) as aws:
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        assert "AWS_SESSION_TOKEN" not in os.environ
        assert aws.endpoint_url.startswith("http://127.0.0.1:")
    assert os.environ["AWS_ACCESS_KEY_ID"] == "outer-id"
    assert os.environ["AWS_SESSION_TOKEN"] == "outer-token"
