"""What holds the users' data: the single table, the documents bucket (uploads under ``documents/``, the tool file
area under ``files/``), and the ingestion queue fed by the bucket's ObjectCreated events, with its dead-letter queue
and an alarm on it. Stateful: in stages other than dev-like ones, nothing here is deleted with the stack.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import DeployConfig
from infra.nag import acknowledge
from privategpt.settings import Settings
from privategpt.storage.table import TABLE_SPEC, TTL_ATTRIBUTE

DOCUMENTS_PREFIX = "documents/"  # documents/<user>/<document>: what ingestion reads (privategpt.documents.keys)
FILES_PREFIX = "files/"  # files/<user>/<path>: the built-in tools' file area (privategpt.tools.files)
# SQS: a queue feeding a function should hide a message for six times the function's timeout
# (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html)
VISIBILITY_TIMEOUT_FACTOR = 6
MULTIPART_ABORT_DAYS = 1
ACCESS_LOG_DAYS = 90
BASIC_EXECUTION_ROLE = "arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
DLQ_RETENTION = Duration.days(14)

_ATTRIBUTE_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}


def _attribute(name: str | None) -> dynamodb.Attribute | None:
    if name is None:
        return None
    types = {d["AttributeName"]: d["AttributeType"] for d in TABLE_SPEC["AttributeDefinitions"]}
    return dynamodb.Attribute(name=name, type=_ATTRIBUTE_TYPES[types[name]])


def _keys(schema: list[dict[str, str]]) -> tuple[dynamodb.Attribute, dynamodb.Attribute | None]:
    """The partition and sort keys of a ``KeySchema`` from ``TABLE_SPEC``."""
    by_type = {key["KeyType"]: key["AttributeName"] for key in schema}
    partition = _attribute(by_type["HASH"])
    assert partition is not None
    return partition, _attribute(by_type.get("RANGE"))


def default_setting(name: str) -> Any:
    """A setting's default, where the infrastructure must agree with the code (one source)."""
    return Settings.model_fields[name].default


class DataStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig, web_origin: str, **kwargs: Any):
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        keep = RemovalPolicy.DESTROY if config.is_dev else RemovalPolicy.RETAIN
        self.table = self._table(keep)
        self.access_logs = self._access_logs(keep)
        self.bucket = self._bucket(keep, web_origin)
        # the platform's IAM statements import the ARN under this name, so cdk-nag's finding on a prefix
        # (documents/*, files/*) has a stable id to acknowledge (infra/constructs/access.py)
        self.bucket_arn_export = f"{self.stack_name}-DocumentsBucketArn"
        self.export_value(self.bucket.bucket_arn, name=self.bucket_arn_export)
        self.alarm_topic = sns.Topic(self, "Alarms", enforce_ssl=True, master_key=None)
        if config.alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        acknowledge(self.alarm_topic, "AwsSolutions-SNS2", "alarm notifications carry no user data")
        self.queue: sqs.Queue | None = None
        self.dead_letters: sqs.Queue | None = None
        if config.vectors.store != "none":
            self._ingestion_queue()

    def _table(self, keep: RemovalPolicy) -> dynamodb.Table:
        partition, sort = _keys(TABLE_SPEC["KeySchema"])
        table = dynamodb.Table(
            self,
            "Table",
            table_name=self.config.name("table"),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=TTL_ATTRIBUTE,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            deletion_protection=not self.config.is_dev,
            removal_policy=keep,
            partition_key=partition,
            sort_key=sort,
        )
        for index in TABLE_SPEC["GlobalSecondaryIndexes"]:
            index_partition, index_sort = _keys(index["KeySchema"])
            table.add_global_secondary_index(
                index_name=index["IndexName"],
                projection_type=dynamodb.ProjectionType(index["Projection"]["ProjectionType"]),
                partition_key=index_partition,
                sort_key=index_sort,
            )
        return table

    def _access_logs(self, keep: RemovalPolicy) -> s3.Bucket:
        """Server access logs of the documents bucket: who read or wrote a user's objects."""
        logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(ACCESS_LOG_DAYS))],
            removal_policy=keep,
            auto_delete_objects=self.config.is_dev,
        )
        acknowledge(logs, "AwsSolutions-S1", "the access-log bucket itself: logging it would log the logs")
        return logs

    def _bucket(self, keep: RemovalPolicy, web_origin: str) -> s3.Bucket:
        return s3.Bucket(
            self,
            "Documents",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="documents-bucket/",
            # the browser POSTs an upload straight to S3 with the presigned form (privategpt.documents.s3)
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.POST],
                    allowed_origins=self.config.web_origins(web_origin),
                    allowed_headers=["*"],
                    max_age=3000,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(MULTIPART_ABORT_DAYS))
            ],
            removal_policy=keep,
            auto_delete_objects=self.config.is_dev,
        )

    def _ingestion_queue(self) -> None:
        max_receive = int(
            self.config.settings.get("ingest_max_receive_count", default_setting("ingest_max_receive_count"))
        )
        self.dead_letters = sqs.Queue(
            self,
            "IngestDeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DLQ_RETENTION,
        )
        acknowledge(self.dead_letters, "AwsSolutions-SQS3", "this is the dead-letter queue")
        self.queue = sqs.Queue(
            self,
            "IngestQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(
                self.config.functions.ingest.timeout_seconds * VISIBILITY_TIMEOUT_FACTOR
            ),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=max_receive, queue=self.dead_letters),
        )
        self.bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.SqsDestination(self.queue),
            s3.NotificationKeyFilter(prefix=DOCUMENTS_PREFIX),
        )
        alarm = cloudwatch.Alarm(
            self,
            "IngestDeadLettersAlarm",
            alarm_description="Documents failed ingestion after every retry: see the dead-letter queue",
            metric=self.dead_letters.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.alarm_topic))
        # the bucket-notification custom resource CDK adds (one per stack)
        acknowledge(
            self,
            f"AwsSolutions-IAM4[Policy::{BASIC_EXECUTION_ROLE}]",
            "BucketNotificationsHandler: CDK's custom resource that writes the bucket's notification configuration",
        )
