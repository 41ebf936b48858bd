"""``config.json`` for the web app, written at deploy time next to the site: one build serves every deployment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import CfnResource, DefaultStackSynthesizer, Fn, Stack, Token
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.nag import acknowledge

CONFIG_KEY = "config.json"
# BucketDeployment's provider is a SingletonFunction created at the stack's root, not under the deployment
PROVIDER_ID_PREFIX = "Custom::CDKBucketDeployment"
BASIC_EXECUTION_ROLE = "arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
# the actions of BucketDeployment's grants (the assets bucket's read, the destination's read/write)
GRANTED_ACTIONS = ("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*")


def _assets_bucket_finding(stack: Stack) -> str:
    synthesizer = stack.synthesizer
    qualifier = DefaultStackSynthesizer.DEFAULT_QUALIFIER
    if isinstance(synthesizer, DefaultStackSynthesizer) and synthesizer.bootstrap_qualifier:
        qualifier = synthesizer.bootstrap_qualifier
    account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
    region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
    # a literal partition when the region is known and cdk.json's @aws-cdk/core:enablePartitionLiterals is on
    partition = "<AWS::Partition>" if Token.is_unresolved(stack.partition) else stack.partition
    return f"Resource::arn:{partition}:s3:::cdk-{qualifier}-assets-{account}-{region}/*"


def acknowledge_deployment_provider(stack: Stack, destination_objects: str) -> None:
    """Accept cdk-nag's findings on the stack's BucketDeployment provider (CDK-generated function and grants).

    ``destination_objects`` is how cdk-nag prints the destination bucket's ARN in this stack, e.g.
    ``<SiteE53D7754.Arn>`` (cdk-nag 3 acknowledges each IAM5 finding by its exact id).
    """
    reason = (
        "BucketDeployment's provider (CDK's code): reads the deployment's zip from the CDK assets bucket, syncs the "
        "site bucket's objects (build output and config.json, no user data) and invalidates the distribution; "
        "these are CDK's grants"
    )
    findings = [f"Action::{action}" for action in GRANTED_ACTIONS]
    findings += [_assets_bucket_finding(stack), f"Resource::{destination_objects}/*", "Resource::*"]
    for child in stack.node.children:
        if not child.node.id.startswith(PROVIDER_ID_PREFIX):
            continue
        acknowledge(child, "AwsSolutions-L1", "BucketDeployment's provider function: CDK pins its runtime")
        acknowledge(
            child,
            f"AwsSolutions-IAM4[Policy::{BASIC_EXECUTION_ROLE}]",
            "BucketDeployment's provider role: AWSLambdaBasicExecutionRole only lets it write its own logs",
        )
        for finding in findings:
            acknowledge(child, f"AwsSolutions-IAM5[{finding}]", reason)


class RuntimeConfig(Construct):
    """Deploys ``/config.json`` into the site bucket with ``Cache-Control: no-cache`` and invalidates it.

    ``values`` may hold CDK tokens (they are resolved at deploy time by BucketDeployment's source markers). The
    shape the web app reads::

        {
            "apiUrl": "https://<id>.execute-api.<region>.amazonaws.com",   # the HTTP API
            "streamUrl": "https://<id>.lambda-url.<region>.on.aws/",        # the streaming function URL
            "mcpUrl": "https://…/mcp",                                     # the MCP endpoint
            "auth": {
                "mode": "cognito" | "keycloak",
                "issuer": "https://cognito-idp.<region>.amazonaws.com/<pool>" | "<keycloak realm URL>",
                "clientId": "<app client id>",
                "scopes": ["openid", "email", "profile"],
                "authority": "<the OIDC authority the client library is given>",
                "metadata": {…},   # optional: OIDC endpoints the client should not discover (Cognito's logout)
            },
            "stage": "dev",
        }

    The site's own deployment (``WebStack``) excludes ``config.json`` from its sync, so a site deployment never
    deletes or overwrites it, and this one runs with ``prune=False`` so it never deletes the site.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.IBucket,
        distribution: cloudfront.IDistribution,
        values: Mapping[str, Any],
    ) -> None:
        super().__init__(scope, construct_id)
        stack, owner = Stack.of(self), Stack.of(bucket)
        destination, destination_finding = bucket, bucket_arn_finding(bucket)
        if owner is not stack:
            # Through explicit exports rather than CDK's generated ones: cdk-nag 3 acknowledges each finding by its
            # exact id, which names the export the grant's resource comes from; an explicit name keeps it stable.
            arn_export = f"{owner.stack_name}-SiteBucketArn"
            owner.export_value(bucket.bucket_arn, name=arn_export)
            owner.export_value(bucket.bucket_name, name=f"{owner.stack_name}-SiteBucketName")
            destination = s3.Bucket.from_bucket_attributes(
                self,
                "SiteBucket",
                bucket_arn=Fn.import_value(arn_export),
                bucket_name=Fn.import_value(f"{owner.stack_name}-SiteBucketName"),
            )
            destination_finding = arn_export
            stack.add_stack_dependency(owner, "config.json goes into its site bucket")
        self.deployment = s3deploy.BucketDeployment(
            self,
            "Deployment",
            destination_bucket=destination,
            # escape: token values are JSON-escaped when substituted, so a value with a quote cannot break the file
            sources=[s3deploy.Source.json_data(CONFIG_KEY, dict(values), escape=True)],
            # the source holds only config.json: pruning would delete the whole site
            prune=False,
            cache_control=[s3deploy.CacheControl.no_cache()],
            content_type="application/json",
            distribution=distribution,
            distribution_paths=[f"/{CONFIG_KEY}"],
        )
        acknowledge_deployment_provider(stack, destination_finding)


def bucket_arn_finding(bucket: s3.IBucket) -> str:
    """How cdk-nag prints the ARN of a bucket defined in the same stack: ``<LogicalId.Arn>``."""
    resource = bucket.node.default_child
    if not isinstance(resource, CfnResource):
        raise TypeError("RuntimeConfig needs a bucket defined in a CDK stack (an s3.Bucket)")
    return f"<{Stack.of(bucket).get_logical_id(resource)}.Arn>"
