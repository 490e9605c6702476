"""Settings: joeladr.toml, then environment, then defaults; one resolver."""

from __future__ import annotations

from pathlib import Path

import pytest

from joeladr.errors import ConfigError
from joeladr.settings import resolve_settings


def test_defaults_without_a_config(tmp_path: Path) -> None:
    settings = resolve_settings(cwd=tmp_path, env={})
    assert settings.adr_dir == tmp_path.resolve() / "adrs"
    assert settings.vault == tmp_path.resolve() / "vault"
    assert settings.home == tmp_path.resolve() / ".joeladr"
    assert settings.qdrant_url is None and settings.compute_type == "int8"


def test_config_is_found_upwards_and_paths_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "joeladr.toml").write_text(
        '[paths]\nadr_dir = "docs/decisions"\n[store]\nqdrant_url = "http://q:6333"\n'
    )
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    settings = resolve_settings(cwd=nested, env={})
    assert settings.root == tmp_path
    assert settings.adr_dir == tmp_path / "docs" / "decisions"
    assert settings.qdrant_url == "http://q:6333"


def test_environment_beats_config_and_overrides_beat_both(tmp_path: Path) -> None:
    (tmp_path / "joeladr.toml").write_text('[paths]\nvault = "v1"\n[evaluate]\ntop_k = 3\n')
    env = {"JOELADR_VAULT": "/srv/vault", "JOELADR_TOP_K": "9", "JOELADR_QDRANT_URL": "http://x:6333"}
    settings = resolve_settings(cwd=tmp_path, env=env)
    assert settings.vault == Path("/srv/vault") and settings.top_k == 9 and settings.qdrant_url == "http://x:6333"
    assert resolve_settings(cwd=tmp_path, env=env, overrides={"vault": Path("/elsewhere")}).vault == Path("/elsewhere")


@pytest.mark.parametrize(
    "content,needle",
    [
        ("[paths\n", "not valid TOML"),
        ('paths = "x"\n', "must be a table"),
        ('[evaluate]\ntop_k = "many"\n', "must be a number"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path: Path, content: str, needle: str) -> None:
    (tmp_path / "joeladr.toml").write_text(content)
    with pytest.raises(ConfigError, match=needle):
        resolve_settings(cwd=tmp_path, env={})


def test_api_key_is_not_in_repr(tmp_path: Path) -> None:
    settings = resolve_settings(cwd=tmp_path, env={"JOELADR_QDRANT_API_KEY": "s3cret-key"})
    assert settings.qdrant_api_key == "s3cret-key" and "s3cret-key" not in repr(settings)


@pytest.mark.parametrize("value", ["-1", "nan", "soon"])
def test_a_negative_or_unreadable_time_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="JOELADR_MCP_RELEASE_AFTER: release_store_after must be"):
        resolve_settings(cwd=tmp_path, env={"JOELADR_MCP_RELEASE_AFTER": value})
    assert resolve_settings(cwd=tmp_path, env={"JOELADR_MCP_RELEASE_AFTER": "0"}).release_store_after == 0
