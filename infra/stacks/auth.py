"""Who may sign in. ``cognito``: a user pool, the web app's client (authorization code + PKCE, no secret), the hosted
UI's domain and an admin group. ``keycloak``: nothing is deployed; the realm's issuer and the client id come from the
config. Either way the rest of the app reads one ``AuthSettings``: the issuer and audience the API's JWT authorizer
and the functions check, and what the web app's ``config.json`` needs to start a sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.config import DeployConfig
from infra.nag import acknowledge

CALLBACK_PATH = "/auth/callback"  # where the web app finishes a sign-in
ACCESS_TOKEN_VALIDITY = Duration.hours(1)
REFRESH_TOKEN_VALIDITY = Duration.days(30)
PASSWORD_MIN_LENGTH = 12


@dataclass(frozen=True)
class AuthSettings:
    mode: str
    issuer: str
    client_id: str
    scopes: list[str]
    admin_group: str
    # the OIDC metadata the web app seeds (Cognito publishes no end_session_endpoint; its logout is /logout)
    metadata: dict[str, str] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        return {
            "PGPT_AUTH_PROVIDER": self.mode,
            "PGPT_AUTH_ISSUER": self.issuer,
            "PGPT_AUTH_CLIENT_IDS": self.client_id,
            "PGPT_AUTH_ADMIN_ROLE": self.admin_group,
        }

    def web_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "mode": self.mode,
            "issuer": self.issuer,
            "authority": self.issuer,
            "clientId": self.client_id,
            "scopes": self.scopes,
            "redirectPath": CALLBACK_PATH,
        }
        if self.metadata:
            config["metadata"] = self.metadata
        return config


def callback_urls(config: DeployConfig, web_origin: str) -> list[str]:
    return [f"{origin}{CALLBACK_PATH}" for origin in config.web_origins(web_origin)]


def logout_urls(config: DeployConfig, web_origin: str) -> list[str]:
    return [f"{origin}/" for origin in config.web_origins(web_origin)]


def keycloak_settings(config: DeployConfig) -> AuthSettings:
    assert config.auth.issuer and config.auth.client_id  # the config validates it
    return AuthSettings(
        "keycloak", config.auth.issuer, config.auth.client_id, config.auth.scopes, config.auth.admin_group
    )


class CognitoStack(Stack):
    """The user pool; ``settings`` is what the rest of the app reads."""

    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig, web_origin: str, **kwargs: Any):
        super().__init__(scope, construct_id, **kwargs)
        auth = config.auth
        mfa = {"off": cognito.Mfa.OFF, "optional": cognito.Mfa.OPTIONAL, "required": cognito.Mfa.REQUIRED}[auth.mfa]
        self.user_pool = cognito.UserPool(
            self,
            "Users",
            user_pool_name=config.name("users"),
            self_sign_up_enabled=False,  # an operator invites people (README: first user)
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=PASSWORD_MIN_LENGTH,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
            ),
            mfa=mfa,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False) if auth.mfa != "off" else None,
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            deletion_protection=not config.is_dev,
            removal_policy=RemovalPolicy.DESTROY if config.is_dev else RemovalPolicy.RETAIN,
        )
        if auth.mfa != "required":
            acknowledge(
                self.user_pool, "AwsSolutions-COG2", "MFA is the config's auth.mfa; TOTP is offered to every user"
            )
        for rule in ("AwsSolutions-COG3", "AwsSolutions-COG8"):
            acknowledge(
                self.user_pool,
                rule,
                "threat protection needs Cognito's Plus feature plan (billed per active user); an operator may opt in",
            )
        self.client = self.user_pool.add_client(
            "Web",
            user_pool_client_name=config.name("web"),
            generate_secret=False,  # a browser app: authorization code + PKCE, no secret to keep
            auth_flows=cognito.AuthFlow(user_srp=True),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.custom(scope) for scope in auth.scopes],
                callback_urls=callback_urls(config, web_origin),
                logout_urls=logout_urls(config, web_origin),
            ),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=ACCESS_TOKEN_VALIDITY,
            id_token_validity=ACCESS_TOKEN_VALIDITY,
            refresh_token_validity=REFRESH_TOKEN_VALIDITY,
        )
        prefix = auth.domain_prefix or f"{config.app_name}-{config.stage}-{Stack.of(self).account}"
        self.domain = self.user_pool.add_domain(
            "HostedUi", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=prefix)
        )
        cognito.CfnUserPoolGroup(
            self,
            "Admins",
            user_pool_id=self.user_pool.user_pool_id,
            group_name=auth.admin_group,
            description="Administrators",
        )
        issuer = f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool.user_pool_id}"
        hosted_ui = self.domain.base_url()
        self.settings = AuthSettings(
            mode="cognito",
            issuer=issuer,
            client_id=self.client.user_pool_client_id,
            scopes=auth.scopes,
            admin_group=auth.admin_group,
            metadata={
                "issuer": issuer,
                "authorization_endpoint": f"{hosted_ui}/oauth2/authorize",
                "token_endpoint": f"{hosted_ui}/oauth2/token",
                "revocation_endpoint": f"{hosted_ui}/oauth2/revoke",
                "userinfo_endpoint": f"{hosted_ui}/oauth2/userInfo",
                "end_session_endpoint": f"{hosted_ui}/logout",
                "jwks_uri": f"{issuer}/.well-known/jwks.json",
            },
        )
        CfnOutput(self, "UserPoolId", value=self.user_pool.user_pool_id)
        CfnOutput(self, "HostedUiUrl", value=hosted_ui)
