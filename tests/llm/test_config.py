from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from privategpt.llm import config
from privategpt.settings import Settings
from tests.conftest import REPO_ROOT, make_settings


def test_the_example_file_is_valid() -> None:
    loaded = config.load_file(REPO_ROOT / "providers.example.yaml")
    assert [p.name for p in loaded.providers] == ["openai", "anthropic", "ollama", "local-vllm", "spare"]
    assert loaded.default_model == "ollama/llama3.2"
    openai = loaded.providers[0]
    assert openai.offers("gpt-4o-mini") and not openai.offers("gpt-4o-realtime-preview") and not openai.offers("o1")
    assert loaded.providers[4].enabled is False


def test_bad_files_are_refused(tmp_path: Path) -> None:
    cases = {
        "dupes.json": '{"providers": [{"name": "a", "type": "ollama"}, {"name": "a", "type": "ollama"}]}',
        "type.json": '{"providers": [{"name": "a", "type": "bard"}]}',
        "name.json": '{"providers": [{"name": "Has Space", "type": "ollama"}]}',
        "secret.json": '{"providers": [{"name": "a", "type": "openai", "api_key": "sk-inline"}]}',
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(ValidationError):
            config.load_file(path)


def test_environment_discovery(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    plain = make_settings()
    assert [p.name for p in config.load(plain).providers] == ["ollama"]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-x")
    monkeypatch.setenv("OLLAMA_BASE_URL", "http://10.1.2.3:11434")
    found = {p.name: p for p in config.load(plain).providers}
    assert list(found) == ["openai", "anthropic", "ollama"]
    assert found["openai"].base_url == "http://127.0.0.1:9/v1"
    assert found["ollama"].base_url == "http://10.1.2.3:11434"


def test_keys_come_from_the_named_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from privategpt.llm.secrets import api_key

    monkeypatch.setenv("MY_KEY", "sk-from-env")
    assert api_key(config.ProviderConfig(name="x", type="openai", api_key_env="MY_KEY")) == "sk-from-env"
    assert api_key(config.ProviderConfig(name="y", type="ollama")) is None


def test_keys_from_secrets_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto import mock_aws

    from privategpt.llm.secrets import api_key

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("secretsmanager")
        client.create_secret(Name="privategpt/openai", SecretString='{"api_key": "sk-from-secret"}')
        client.create_secret(Name="privategpt/plain", SecretString="sk-plain")
        wrapped = config.ProviderConfig(name="a", type="openai", api_key_secret="privategpt/openai")
        plain = config.ProviderConfig(name="b", type="openai", api_key_secret="privategpt/plain")
        assert api_key(wrapped) == "sk-from-secret"
        assert api_key(plain) == "sk-plain"


def test_transport_errors_of_both_http_libraries_are_mapped() -> None:
    import httpx
    import httpx2

    from privategpt.llm.errors import ProviderTimeout, ProviderUnreachable, from_transport, transport_errors

    for library in (httpx, httpx2):
        assert library.TransportError in transport_errors()
        assert isinstance(from_transport("p", library.ReadTimeout("slow")), ProviderTimeout)
        assert isinstance(from_transport("p", library.RemoteProtocolError("cut")), ProviderUnreachable)


def test_a_file_ollama_without_url_takes_the_environments(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The deployed stack names the Ollama instance in OLLAMA_BASE_URL: its address is known only at deploy time."""
    path = tmp_path / "providers.yaml"
    path.write_text(
        "providers:\n  - {name: gpu, type: ollama}\n  - {name: pinned, type: ollama, base_url: http://h:1}\n"
    )
    monkeypatch.delenv("OLLAMA_BASE_URL", raising=False)
    assert config.load_file(path).providers[0].base_url == config.DEFAULT_OLLAMA_URL
    monkeypatch.setenv("OLLAMA_BASE_URL", "http://10.0.3.7:11434")
    gpu, pinned = config.load_file(path).providers
    assert (gpu.base_url, pinned.base_url) == ("http://10.0.3.7:11434", "http://h:1")
