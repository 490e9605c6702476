"""Settings: joeladr.toml, then environment, then defaults; one resolver."""

from __future__ import annotations

import re
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
        ('[evaluate]\ntop_k = "many"\n', "must be a whole number"),
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


@pytest.mark.parametrize(
    "env,needle",
    [
        ({"JOELADR_TOP_K": "true"}, "top_k must be a whole number from 1 to 100, got 'true'"),
        ({"JOELADR_TOP_K": "2.9"}, "top_k must be a whole number from 1 to 100, got '2.9'"),
        ({"JOELADR_TOP_K": "-3"}, "top_k must be a whole number from 1 to 100"),
        ({"JOELADR_TOP_K": "0"}, "top_k must be a whole number from 1 to 100"),
        ({"JOELADR_TOP_K": "1e20"}, "top_k must be a whole number from 1 to 100"),
        ({"JOELADR_MIN_SCORE": "nan"}, "min_score must be a number from 0 to 1, got 'nan'"),
        ({"JOELADR_MIN_SCORE": "7"}, "min_score must be a number from 0 to 1"),
        ({"JOELADR_LOCK_WAIT": "-1"}, "lock_wait must be a number from 0 to 86400"),
        ({"JOELADR_LOCK_WAIT": "nan"}, "lock_wait must be a number from 0 to 86400"),
        ({"JOELADR_BATCH_SIZE": "-1"}, "batch_size must be a whole number from 0 to 256"),
        ({"JOELADR_COLLECTION": "../../evil"}, "collection must be a name of letters, digits"),
        ({"JOELADR_DEVICE": "gpu"}, "device must be one of cpu, cuda, auto"),
        ({"JOELADR_DOWNLOAD_MAX_MB": "0"}, "download_max_mb must be a whole number from 1 to 1e+06"),
        ({"JOELADR_DOWNLOAD_STALL_SECONDS": "inf"}, "download_stall_seconds must be a number from 1 to 3600"),
        ({"JOELADR_QDRANT_URL": "ftp://user:pw@host"}, "qdrant_url must be an http(s) URL"),
    ],
)
def test_wrong_values_are_refused_where_they_are_resolved(tmp_path: Path, env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(needle)) as caught:
        resolve_settings(cwd=tmp_path, env=env)
    assert next(iter(env)) in str(caught.value)  # the line names where the value came from


@pytest.mark.parametrize(
    "content,needle",
    [
        ("[evaluate]\ntop_k = true\n", "[evaluate] top_k: top_k must be a whole number from 1 to 100, got true"),
        ("[evaluate]\ntop_k = 2.9\n", "top_k must be a whole number from 1 to 100, got 2.9"),
        ("[evaluate]\nmin_score = nan\n", "min_score must be a number from 0 to 1, got nan"),
        ('[store]\ncollection = "../../evil"\n', "collection must be a name"),
        ('[vault]\nsources_folder = "../outside"\n', "sources_folder must be a folder inside the vault"),
        ("[evaluate]\ntopk = 3\n", "[evaluate] topk is not a setting"),
        ("[evalute]\ntop_k = 3\n", "[evalute] is not a settings table"),
    ],
)
def test_wrong_values_in_the_file_are_refused(tmp_path: Path, content: str, needle: str) -> None:
    (tmp_path / "joeladr.toml").write_text(content)
    with pytest.raises(ConfigError, match=re.escape(needle)):
        resolve_settings(cwd=tmp_path, env={})


def test_a_secret_of_the_wrong_type_or_form_is_never_echoed(tmp_path: Path) -> None:
    (tmp_path / "joeladr.toml").write_text("[store]\nqdrant_api_key = 123456789\n")
    with pytest.raises(ConfigError) as caught:
        resolve_settings(cwd=tmp_path, env={})
    assert "123456789" not in str(caught.value) and "qdrant_api_key must be text" in str(caught.value)
    with pytest.raises(ConfigError) as bad_url:
        resolve_settings(cwd=tmp_path, env={"JOELADR_QDRANT_URL": "ftp://admin:hunter2@host/x"})
    assert "hunter2" not in str(bad_url.value) and "ftp://***@host/x" in str(bad_url.value)
    (tmp_path / "joeladr.toml").unlink()
    settings = resolve_settings(cwd=tmp_path, env={"JOELADR_QDRANT_URL": "http://admin:hunter2@q:6333"})
    assert "hunter2" not in repr(settings)


def test_the_default_config_is_valid(tmp_path: Path) -> None:
    from joeladr.settings import DEFAULT_CONFIG

    (tmp_path / "joeladr.toml").write_text(DEFAULT_CONFIG)
    assert resolve_settings(cwd=tmp_path, env={}).top_k == 5
