"""cdk-nag's AwsSolutions pack, run on every synthesis; a finding is either fixed or acknowledged here, with why.

cdk-nag 3 is a policy-validation plugin (``Validations.of(app).add_plugins``), not an Aspect: an unacknowledged
error makes synthesis raise, so ``cdk synth`` and the template tests fail on a new finding.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Validations
from constructs import IConstruct


def enable(app: App) -> None:
    from cdk_nag import AwsSolutionsChecks

    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Accept an AwsSolutions finding (``rule`` like ``"AwsSolutions-IAM4"``, or ``"AwsSolutions-IAM5[…]"`` for
    one finding of a rule) on ``scope`` and everything under it."""
    Validations.of(scope).acknowledge(Acknowledgment(id=f"AwsSolutions::{rule}", reason=reason))
