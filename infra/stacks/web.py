"""The web app: a private S3 bucket behind CloudFront (origin access control), security headers, SPA fallback.

The stack references no other stack (the CSP is built from the config and the region), so the platform stack can
reference it: it writes ``/config.json`` into ``bucket`` with ``RuntimeConfig``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.config import ROOT, DeployConfig
from infra.constructs.runtime_config import CONFIG_KEY, acknowledge_deployment_provider, bucket_arn_finding
from infra.nag import acknowledge

WEB_DIST = ROOT / "web" / "dist"  # the React app's `vite build` output (the web issue builds it)
PLACEHOLDER_SITE = ROOT / "infra" / "assets" / "placeholder-site"
ASSETS_PATTERN = "assets/*"  # Vite's content-hashed files: safe to cache for a year
HSTS_MAX_AGE = Duration.days(730)
PRICE_CLASSES = {
    "100": cloudfront.PriceClass.PRICE_CLASS_100,
    "200": cloudfront.PriceClass.PRICE_CLASS_200,
    "All": cloudfront.PriceClass.PRICE_CLASS_ALL,
}


def site_source(web_dist: Path = WEB_DIST) -> Path:
    """The built web app when there is one, else the placeholder page."""
    return web_dist if (web_dist / "index.html").is_file() else PLACEHOLDER_SITE


def connect_sources(config: DeployConfig, region: str) -> list[str]:
    """What the app may fetch: the API, the stream function URL, S3 presigned uploads and the identity provider."""
    sources = [
        "'self'",
        f"https://*.execute-api.{region}.amazonaws.com",
        f"https://*.lambda-url.{region}.on.aws",
        "https://*.s3.amazonaws.com",
        f"https://*.s3.{region}.amazonaws.com",
    ]
    if config.auth.mode == "cognito":
        sources += [f"https://cognito-idp.{region}.amazonaws.com", f"https://*.auth.{region}.amazoncognito.com"]
    else:
        issuer = urlsplit(config.auth.issuer or "")
        sources.append(f"{issuer.scheme}://{issuer.netloc}")
    return sources


def content_security_policy(config: DeployConfig, region: str) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # 'unsafe-inline' for styles only: KaTeX and Radix UI set inline style attributes at run time; scripts
        # stay strictly 'self', which is what stops injected code
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": connect_sources(config, region),
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class WebStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        web_dist: Path = WEB_DIST,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.bucket = s3.Bucket(
            self,
            "Site",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            # unversioned: the content is build output, a rollback is a redeploy of the previous build
            versioned=False,
            removal_policy=RemovalPolicy.DESTROY if config.is_dev else RemovalPolicy.RETAIN,
            auto_delete_objects=config.is_dev,
        )

        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment=f"{config.name('web')}: security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(config, Stack.of(self).region), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=HSTS_MAX_AGE, include_subdomains=True, preload=True, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
                ),
            ),
        )

        domain = config.web.domain_name
        certificate = (
            acm.Certificate.from_certificate_arn(self, "Certificate", config.web.certificate_arn)
            if config.web.certificate_arn
            else None
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=config.name("web"),
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                # grants the distribution s3:GetObject only: a missing key is a 403, hence both error responses
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                # honours the objects' Cache-Control (set below); deployments invalidate what changed
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                compress=True,
            ),
            # client-side routes (/c/<id>) are not objects: serve the app, which routes them
            error_responses=[
                cloudfront.ErrorResponse(
                    http_status=status,
                    response_http_status=200,
                    response_page_path="/index.html",
                    ttl=Duration.seconds(10),
                )
                for status in (403, 404)
            ],
            domain_names=[domain] if domain else None,
            certificate=certificate,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if certificate else None,
            price_class=PRICE_CLASSES[config.web.price_class],
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        )
        self.origin = f"https://{domain}" if domain else f"https://{self.distribution.distribution_domain_name}"

        self._deploy_site(site_source(web_dist))
        self._acknowledge(has_certificate=certificate is not None)
        CfnOutput(self, "WebOrigin", value=self.origin)
        CfnOutput(self, "DistributionId", value=self.distribution.distribution_id)
        CfnOutput(self, "DistributionDomainName", value=self.distribution.distribution_domain_name)
        CfnOutput(self, "SiteBucketName", value=self.bucket.bucket_name)

    def _deploy_site(self, site: Path) -> None:
        source = s3deploy.Source.asset(str(site))
        # Hashed assets first, never pruned: a tab still running the previous build can lazy-load its old chunks.
        # Their names change with their content, so they need no invalidation.
        assets = s3deploy.BucketDeployment(
            self,
            "SiteAssets",
            destination_bucket=self.bucket,
            sources=[source],
            exclude=["*"],
            include=[ASSETS_PATTERN],
            prune=False,
            cache_control=[
                s3deploy.CacheControl.set_public(),
                s3deploy.CacheControl.max_age(Duration.days(365)),
                s3deploy.CacheControl.immutable(),
            ],
        )
        # Then the rest (index.html and friends), revalidated on every load, pruned so removed files go away.
        # `exclude` keeps both the assets and config.json out of this sync: `aws s3 sync --delete --exclude` neither
        # uploads nor deletes excluded keys. So a site deployment never deletes config.json (written by
        # RuntimeConfig from the platform stack) nor replaces it with a dev copy from the build. prune=False would
        # also spare config.json but would leave files of old builds behind forever.
        shell = s3deploy.BucketDeployment(
            self,
            "SiteShell",
            destination_bucket=self.bucket,
            sources=[source],
            exclude=[ASSETS_PATTERN, CONFIG_KEY],
            prune=True,
            cache_control=[s3deploy.CacheControl.no_cache()],
            distribution=self.distribution,
            distribution_paths=["/*"],
        )
        shell.node.add_dependency(assets)

    def _acknowledge(self, *, has_certificate: bool) -> None:
        acknowledge_deployment_provider(self, bucket_arn_finding(self.bucket))
        acknowledge(
            self.bucket,
            "AwsSolutions-S1",
            "The site bucket holds the public build of the web app, read only by CloudFront through OAC; "
            "access logs of it would record CloudFront's fetches, not users (see CFR3)",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "A team's private assistant has no country restriction to enforce; sign-in gates every data access",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "The distribution serves only static files; the API (the attack surface) is throttled and requires "
            "a token. A web ACL costs a fixed monthly fee per deployment for no protected data",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR3",
            "The same public files are served to everyone; who used what is in the API's access logs. Standard "
            "logging would need an ACL-enabled log bucket for little value",
        )
        if not has_certificate:
            acknowledge(
                self.distribution,
                "AwsSolutions-CFR4",
                "No custom domain: CloudFront's default *.cloudfront.net certificate fixes the minimum protocol; "
                "set web.domain_name and web.certificate_arn for TLSv1.2_2021",
            )
