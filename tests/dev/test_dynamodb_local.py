from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from privategpt.dev.dynamodb_local import DynamoDBLocal, DynamoDBLocalError, check_java, find_jar


def test_missing_java_says_what_to_install() -> None:
    with pytest.raises(
        DynamoDBLocalError, match=r"Java 17\+ is needed.*openjdk-17-jre-headless.*PGPT_DYNAMODB_ENDPOINT"
    ):
        check_java("no-such-java-binary")


def test_old_java_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "java"
    fake.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    fake.chmod(0o755)
    with pytest.raises(DynamoDBLocalError, match="needs Java 17"):
        check_java(str(fake))


def test_missing_jar_says_to_run_make_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("privategpt.dev.dynamodb_local.__file__", str(tmp_path / "x.py"))
    with pytest.raises(DynamoDBLocalError, match="make install"):
        find_jar()


def test_start_and_stop(tmp_path: Path) -> None:
    launcher = DynamoDBLocal(tmp_path / "db")
    endpoint = launcher.start()
    try:
        assert httpx.get(endpoint, timeout=5).status_code == 400  # DynamoDB's answer to a bare GET
    finally:
        launcher.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(endpoint, timeout=2)
