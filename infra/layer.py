"""The functions' code asset and their dependency layer, shared by the api, stream, ingest and tools functions.

The layer is built by ``make layer`` (``layers/build.py``: pip, manylinux wheels, no Docker) into
``layers/build/python``; with CDK context ``layer=standin`` the app uses ``layers/standin/`` instead, a marked
non-deployable stand-in, so synthesis and the tests need no layer build.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Annotations, aws_lambda
from constructs import Construct

from layers.runtime import CODE_EXCLUDE, PYTHON_VERSION

ROOT = Path(__file__).resolve().parent.parent
LAYER_BUILD = Path("layers") / "build"
LAYER_STANDIN = Path("layers") / "standin"

# The CDK runtime object for PYTHON_VERSION (layers/runtime.py, the one place the version is chosen), with its
# flags (SnapStart support and the like) as aws-cdk-lib defines them.
RUNTIME: aws_lambda.Runtime = getattr(aws_lambda.Runtime, f"PYTHON_{PYTHON_VERSION.replace('.', '_')}")
ARCHITECTURE = aws_lambda.Architecture.X86_64

__all__ = ["ARCHITECTURE", "PYTHON_VERSION", "RUNTIME", "LayerNotBuiltError", "code_asset", "dependency_layer"]


class LayerNotBuiltError(FileNotFoundError):
    pass


def code_asset(root: Path = ROOT) -> aws_lambda.Code:
    """``functions/`` (the privategpt package and run.sh) without bytecode, egg-info or the dev CLI."""
    return aws_lambda.Code.from_asset(str(root / "functions"), exclude=list(CODE_EXCLUDE))


def dependency_layer(
    scope: Construct, construct_id: str, *, standin: bool, root: Path = ROOT
) -> aws_lambda.LayerVersion:
    if standin:
        layer = aws_lambda.LayerVersion(
            scope,
            construct_id,
            code=aws_lambda.Code.from_asset(str(root / LAYER_STANDIN)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="STAND-IN, not deployable: no dependencies (build the layer with make layer)",
        )
        Annotations.of(layer).add_warning_v2(
            "privategpt:layer-standin",
            "The dependency layer is a stand-in (-c layer=standin): functions deployed with it fail at import. "
            "Run make layer and synthesize without -c layer=standin to deploy.",
        )
        return layer
    site = root / LAYER_BUILD / "python"
    if not site.is_dir() or not any(site.iterdir()):
        raise LayerNotBuiltError(
            f"the dependency layer is not built ({site} is missing or empty): run `make layer` first, "
            "or synthesize with `-c layer=standin` for a template that cannot be deployed"
        )
    return aws_lambda.LayerVersion(
        scope,
        construct_id,
        code=aws_lambda.Code.from_asset(str(root / LAYER_BUILD)),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description=f"privategpt dependencies (pyproject.toml) for Python {PYTHON_VERSION} x86_64",
    )
