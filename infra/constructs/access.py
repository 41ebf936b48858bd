"""The IAM statements the functions get: exactly the actions the code calls, on exactly its resources.

Object keys are chosen per user at run time (``documents/<user>/…``, ``files/<user>/…``), so object statements name
a prefix; nothing else carries a wildcard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aws_cdk import ArnFormat, Fn, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from constructs import IConstruct

from privategpt.storage.table import GSI1

# what pynamodb sends for the repositories (storage/): reads, writes, transactions (their parts are authorised
# one by one), the hard delete's BatchWriteItem, documents' BatchGetItem, and readiness's DescribeTable
TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)


def table(table: dynamodb.ITable) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        actions=list(TABLE_ACTIONS), resources=[table.table_arn, f"{table.table_arn}/index/{GSI1}"]
    )


@dataclass(frozen=True)
class ImportedBucket:
    """A bucket of another stack by its exported ARN: statements on it read ``Fn::ImportValue`` of ``export``, which
    is also how cdk-nag names them, so a prefix's finding can be acknowledged by a stable id."""

    export: str

    @property
    def arn(self) -> str:
        return Fn.import_value(self.export)

    def prefix_finding(self, prefix: str) -> str:
        return f"AwsSolutions-IAM5[Resource::{self.export}/{prefix}*]"


def objects(bucket: ImportedBucket, prefix: str, *actions: str) -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=list(actions), resources=[f"{bucket.arn}/{prefix}*"])


def listing(bucket: ImportedBucket, prefix: str) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        actions=["s3:ListBucket"],
        resources=[bucket.arn],
        conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}},
    )


def send(queue: sqs.IQueue) -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[queue.queue_arn])


def secret_arn(scope: IConstruct, name: str) -> str:
    """A secret's ARN from its name: Secrets Manager appends ``-`` and six random characters to it."""
    if name.startswith("arn:"):
        return name
    stack = Stack.of(scope)
    return stack.format_arn(
        service="secretsmanager",
        resource="secret",
        resource_name=f"{name}-??????",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


def secrets(scope: IConstruct, names: Iterable[str]) -> iam.PolicyStatement | None:
    arns = [secret_arn(scope, name) for name in names]
    if not arns:
        return None
    return iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=arns)
