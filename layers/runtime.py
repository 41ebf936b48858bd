"""What ``layers/build.py`` and ``infra/layer.py`` share, in a plain module: the build must not need aws_cdk.

PYTHON_VERSION is the one place the Lambda Python version is chosen: the newest Lambda Python runtime for which
every dependency in pyproject.toml has manylinux x86_64 wheels on PyPI (``make layer`` fails if one has none).
"""

from __future__ import annotations

PYTHON_VERSION = "3.14"

# What the code asset (functions/) leaves out, as CDK glob patterns (``Code.from_asset(exclude=…)``): a pattern
# without "/" matches a file or directory name at any depth, one with "/" a path from functions/.
# privategpt/dev is the `privategpt dev` CLI (local servers, moto, DynamoDB Local): no handler imports it
# (tests/infra/test_layer.py imports the four handlers with it blocked).
CODE_EXCLUDE: tuple[str, ...] = ("__pycache__", "*.pyc", "*.egg-info", "privategpt/dev")
