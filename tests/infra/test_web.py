"""WebStack and RuntimeConfig, synthesized with cdk-nag: one app per auth mode, shared by the tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_ssm as ssm
from aws_cdk.assertions import Match, Template

import infra.nag
from infra.config import AuthConfig, DeployConfig, WebConfig
from infra.constructs.runtime_config import RuntimeConfig
from infra.stacks.web import PLACEHOLDER_SITE, WebStack, site_source
from tests.infra.conftest import CDK_CONTEXT

REGION = "eu-west-1"
ENV = Environment(account="123456789012", region=REGION)
KEYCLOAK = AuthConfig(mode="keycloak", issuer="https://sso.example.com/realms/privategpt", client_id="web")
DOMAIN = WebConfig(
    domain_name="chat.example.com",
    certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
)
CONFIGS = {
    # dev: the CloudFront domain, auto-deleted bucket; prod: a custom domain, retained bucket
    "cognito": DeployConfig(stage="dev"),
    "keycloak": DeployConfig(stage="prod", auth=KEYCLOAK, web=DOMAIN),
}


@dataclass
class Synthesized:
    web: WebStack
    web_template: Template
    platform_template: Template
    assembly_dir: Path


def synthesize(config: DeployConfig, web_dist: Path, *, nag: bool = True) -> Synthesized:
    app = App(context=CDK_CONTEXT)
    if nag:
        infra.nag.enable(app)
    web = WebStack(app, "Web", config=config, web_dist=web_dist, env=ENV)
    platform = Stack(app, "Platform", env=ENV)
    api_id = ssm.StringParameter(platform, "ApiId", string_value="abc123")
    RuntimeConfig(
        platform,
        "RuntimeConfig",
        bucket=web.bucket,
        distribution=web.distribution,
        values={
            "apiUrl": f"https://{api_id.string_value}.execute-api.{REGION}.amazonaws.com",
            "streamUrl": api_id.parameter_name,
            "auth": {"mode": config.auth.mode, "clientId": api_id.string_value, "scopes": ["openid"]},
            "stage": config.stage,
        },
    )
    assembly = app.synth()  # raises on an unacknowledged cdk-nag finding
    return Synthesized(web, Template.from_stack(web), Template.from_stack(platform), Path(assembly.directory))


@pytest.fixture(scope="module")
def by_mode(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Synthesized]:
    empty = tmp_path_factory.mktemp("no-dist")
    return {mode: synthesize(config, empty) for mode, config in CONFIGS.items()}


@pytest.fixture(params=sorted(CONFIGS))
def synthesized(request: pytest.FixtureRequest, by_mode: dict[str, Synthesized]) -> Synthesized:
    return by_mode[request.param]


def resources(template: Template, kind: str) -> dict[str, Any]:
    found: dict[str, Any] = dict(template.find_resources(kind))
    return found


def only(template: Template, kind: str) -> dict[str, Any]:
    found = resources(template, kind)
    assert len(found) == 1, f"{kind}: {list(found)}"
    props: dict[str, Any] = next(iter(found.values()))["Properties"]
    return props


def deployments(template: Template) -> list[dict[str, Any]]:
    return [r["Properties"] for r in resources(template, "Custom::CDKBucketDeployment").values()]


def headers(template: Template) -> dict[str, Any]:
    config: dict[str, Any] = only(template, "AWS::CloudFront::ResponseHeadersPolicy")["ResponseHeadersPolicyConfig"]
    return config["SecurityHeadersConfig"]  # type: ignore[no-any-return]


def directives(csp: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in csp.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


def test_cdk_nag_passes_for_both_auth_modes(by_mode: dict[str, Synthesized]) -> None:
    # synthesize() enabled cdk-nag and called app.synth(): reaching here means no unacknowledged finding
    assert set(by_mode) == {"cognito", "keycloak"}
    for synthesized in by_mode.values():
        assert (synthesized.assembly_dir / "Web.template.json").is_file()
        assert (synthesized.assembly_dir / "Platform.template.json").is_file()


def test_bucket_is_private_encrypted_and_tls_only(synthesized: Synthesized) -> None:
    site = synthesized.web.node.find_child("Site").node.default_child
    assert site is not None
    bucket = next(
        r["Properties"]
        for logical_id, r in resources(synthesized.web_template, "AWS::S3::Bucket").items()
        if logical_id == synthesized.web.get_logical_id(site)  # type: ignore[arg-type]
    )
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    statements = only(synthesized.web_template, "AWS::S3::BucketPolicy")["PolicyDocument"]["Statement"]
    deny_plain_http = [
        s
        for s in statements
        if s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
    ]
    assert deny_plain_http and deny_plain_http[0]["Principal"] == {"AWS": "*"}


def test_only_cloudfront_with_this_distribution_may_read(synthesized: Synthesized) -> None:
    template = synthesized.web_template
    oac = only(template, "AWS::CloudFront::OriginAccessControl")["OriginAccessControlConfig"]
    assert oac["OriginAccessControlOriginType"] == "s3"
    assert oac["SigningBehavior"] == "always"
    distribution_id = next(iter(resources(template, "AWS::CloudFront::Distribution")))
    origin = only(template, "AWS::CloudFront::Distribution")["DistributionConfig"]["Origins"][0]
    assert "GetAtt" in json.dumps(origin["OriginAccessControlId"])
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI

    statements = only(template, "AWS::S3::BucketPolicy")["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    cloudfront = [s for s in allows if s["Principal"] == {"Service": "cloudfront.amazonaws.com"}]
    assert len(cloudfront) == 1
    assert cloudfront[0]["Action"] == "s3:GetObject"
    source_arn = cloudfront[0]["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert distribution_id in json.dumps(source_arn)
    # the dev stage's auto-delete provider may also delete objects (teardown); nothing else is allowed
    others = [s for s in allows if s not in cloudfront]
    for statement in others:
        assert "CustomS3AutoDeleteObjectsCustomResourceProviderRole" in json.dumps(statement["Principal"])
        assert not any(a.startswith(("s3:GetObject", "s3:PutObject")) for a in statement["Action"])  # no reads
    assert len(others) == (1 if synthesized.web.bucket.node.try_find_child("AutoDeleteObjectsCustomResource") else 0)


def test_spa_fallback_and_root_object(synthesized: Synthesized) -> None:
    config = only(synthesized.web_template, "AWS::CloudFront::Distribution")["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    fallbacks = {r["ErrorCode"]: r for r in config["CustomErrorResponses"]}
    assert set(fallbacks) == {403, 404}
    for response in fallbacks.values():
        assert response["ResponseCode"] == 200
        assert response["ResponsePagePath"] == "/index.html"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"


def test_security_headers(synthesized: Synthesized) -> None:
    security = headers(synthesized.web_template)
    assert security["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": 63072000,
        "IncludeSubdomains": True,
        "Preload": True,
        "Override": True,
    }
    assert security["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    csp = directives(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:", "blob:"]
    assert csp["font-src"] == ["'self'", "data:"]
    for source in (
        "'self'",
        f"https://*.execute-api.{REGION}.amazonaws.com",
        f"https://*.lambda-url.{REGION}.on.aws",
        "https://*.s3.amazonaws.com",
        f"https://*.s3.{REGION}.amazonaws.com",
    ):
        assert source in csp["connect-src"]


def test_csp_allows_the_identity_provider_of_the_auth_mode(by_mode: dict[str, Synthesized]) -> None:
    cognito_hosts = {f"https://cognito-idp.{REGION}.amazonaws.com", f"https://*.auth.{REGION}.amazoncognito.com"}
    keycloak_origin = "https://sso.example.com"

    cognito = directives(headers(by_mode["cognito"].web_template)["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert cognito_hosts <= set(cognito["connect-src"])
    assert keycloak_origin not in cognito["connect-src"]

    keycloak = directives(headers(by_mode["keycloak"].web_template)["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert keycloak_origin in keycloak["connect-src"]  # the issuer's origin, without the realm path
    assert not cognito_hosts & set(keycloak["connect-src"])


def test_origin_and_custom_domain(by_mode: dict[str, Synthesized]) -> None:
    dev = by_mode["cognito"]
    assert "Token" in dev.web.origin  # https://<distribution domain>, resolved at deploy time
    dev_config = only(dev.web_template, "AWS::CloudFront::Distribution")["DistributionConfig"]
    assert "Aliases" not in dev_config
    assert dev_config["PriceClass"] == "PriceClass_100"

    prod = by_mode["keycloak"]
    assert prod.web.origin == "https://chat.example.com"
    config = only(prod.web_template, "AWS::CloudFront::Distribution")["DistributionConfig"]
    assert config["Aliases"] == ["chat.example.com"]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": DOMAIN.certificate_arn,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }


def test_site_deployments_keep_config_json_and_cache_assets(synthesized: Synthesized) -> None:
    site = deployments(synthesized.web_template)
    assets = next(d for d in site if d.get("Include") == ["assets/*"])
    shell = next(d for d in site if "Include" not in d)
    assert len(site) == 2
    assert assets["Exclude"] == ["*"]
    assert assets["Prune"] is False
    assert assets["SystemMetadata"]["cache-control"] == "public, max-age=31536000, immutable"
    assert "DistributionId" not in assets  # hashed names need no invalidation
    assert "config.json" in shell["Exclude"]  # never deleted nor replaced by a site deployment
    assert "assets/*" in shell["Exclude"]
    assert shell.get("Prune", True) is not False
    assert shell["SystemMetadata"]["cache-control"] == "no-cache"
    assert shell["DistributionPaths"] == ["/*"]
    synthesized.web_template.has_resource("Custom::CDKBucketDeployment", {"DependsOn": Match.any_value()})


def test_runtime_config_deployment(synthesized: Synthesized) -> None:
    (config,) = deployments(synthesized.platform_template)
    assert config["Prune"] is False  # its source is config.json alone: pruning would delete the site
    assert config["SystemMetadata"] == {"cache-control": "no-cache", "content-type": "application/json"}
    assert config["DistributionPaths"] == ["/config.json"]
    assert "Fn::ImportValue" in json.dumps(config["DistributionId"])
    assert config["DestinationBucketName"] == {"Fn::ImportValue": "Web-SiteBucketName"}
    markers = json.dumps(config["SourceMarkers"])
    assert '"Fn::GetAtt"' in markers  # the parameter's value
    assert '"Ref"' in markers  # the parameter's name
    assert config["SourceMarkersConfig"] == [{"jsonEscape": True}]


def test_site_source_is_the_build_when_there_is_one(tmp_path: Path) -> None:
    assert site_source(tmp_path) == PLACEHOLDER_SITE
    (tmp_path / "index.html").write_text("<!doctype html><title>built</title>", encoding="utf-8")
    assert site_source(tmp_path) == tmp_path


def staged_files(synthesized: Synthesized, name: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in synthesized.assembly_dir.glob(f"asset.*/{name}")]


def test_placeholder_is_deployed_without_a_build(synthesized: Synthesized) -> None:
    (index,) = staged_files(synthesized, "index.html")
    assert "The web app is not built yet" in index
    assert '<script src="/app.js"' in index
    assert "<script>" not in index  # the CSP allows no inline script
    (script,) = staged_files(synthesized, "app.js")
    assert "/config.json" in script


def test_the_build_is_deployed_when_present(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>the real app</title>", encoding="utf-8")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)", encoding="utf-8")
    synthesized = synthesize(CONFIGS["cognito"], tmp_path, nag=False)
    (index,) = staged_files(synthesized, "index.html")
    assert "the real app" in index
    assert staged_files(synthesized, "assets/index-abc123.js") == ["console.log(1)"]
