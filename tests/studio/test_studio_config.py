"""The studio's configuration: shipped defaults, an operator file merged over them, and
clear refusals for what an operator gets wrong."""

from __future__ import annotations

import pytest

from reelforge.studio.config import OPERATOR_FILE, load_config
from reelforge.types import InvalidInputError


def write(path, text: str):
    path.write_text(text)
    return path


def test_shipped_defaults_have_the_documented_plans(tmp_path):
    config = load_config(tmp_path)
    plus, pro = config.plan("plus"), config.plan("pro")
    assert (plus.max_short_side, plus.max_seconds, plus.concurrency, plus.watermark) == (
        480,
        10,
        1,
        True,
    )
    assert (pro.max_short_side, pro.max_seconds, pro.concurrency, pro.watermark) == (
        1080,
        20,
        5,
        False,
    )
    assert pro.priority > plus.priority
    for alias in ("sora-2", "sora-2-pro"):
        assert config.models[alias] in config.engines
    assert config.server.default_model in config.models


def test_unknown_plan_names_the_plans_there_are(tmp_path):
    with pytest.raises(InvalidInputError, match="plus, pro") as e:
        load_config(tmp_path).plan("enterprise")
    assert e.value.param == "plan"


def test_operator_file_merges_over_the_defaults(tmp_path):
    extra = write(
        tmp_path / "ops.toml",
        """
        [server]
        max_upload_mb = 2

        [plans.team]
        max_short_side = 720
        max_seconds = 12
        concurrency = 3

        [plans.pro]
        max_seconds = 25
        """,
    )
    config = load_config(tmp_path / "data", config_file=extra)
    assert set(config.plans) == {"plus", "pro", "team"}
    assert config.plan("team").max_short_side == 720
    assert config.plan("pro").max_seconds == 25
    assert config.plan("pro").max_short_side == 1080  # the rest of pro is kept
    assert config.plan("pro").concurrency == 5
    assert config.server.max_upload_bytes == 2 * 1024 * 1024
    assert config.server.poll_after_ms == 2000


def test_data_folder_file_is_read_without_config_flag(tmp_path):
    write(tmp_path / OPERATOR_FILE, "[plans.plus]\nmax_seconds = 4\n")
    assert load_config(tmp_path).plan("plus").max_seconds == 4


def test_config_flag_wins_over_the_data_folder_file(tmp_path):
    write(tmp_path / OPERATOR_FILE, "[plans.plus]\nmax_seconds = 4\n")
    flag = write(tmp_path / "other.toml", "[plans.plus]\nmax_seconds = 6\n")
    assert load_config(tmp_path, config_file=flag).plan("plus").max_seconds == 6


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[server]\npoll_after_ms = 10\nmax_uplaod_mb = 3\n", "max_uplaod_mb"),
        ("[plans.pro]\nmax_secs = 30\n", "max_secs"),
    ],
)
def test_unknown_keys_are_named(tmp_path, text, named):
    write(tmp_path / OPERATOR_FILE, text)
    with pytest.raises(InvalidInputError, match=named):
        load_config(tmp_path)


def test_new_plan_missing_a_required_key_is_refused(tmp_path):
    write(tmp_path / OPERATOR_FILE, "[plans.team]\nmax_short_side = 720\n")
    with pytest.raises(InvalidInputError, match="team"):
        load_config(tmp_path)


def test_model_alias_to_a_missing_engine_is_refused(tmp_path):
    write(tmp_path / OPERATOR_FILE, '[models]\n"sora-3" = "cloud"\n')
    with pytest.raises(InvalidInputError, match="'sora-3' maps to 'cloud'") as e:
        load_config(tmp_path)
    assert e.value.param == "config"


def test_engine_without_kind_is_refused(tmp_path):
    write(tmp_path / OPERATOR_FILE, '[engines.big]\nweights = "/w"\n')
    with pytest.raises(InvalidInputError, match=r"\[engines.big\] needs a kind"):
        load_config(tmp_path)


def test_invalid_toml_names_the_file(tmp_path):
    bad = write(tmp_path / "broken.toml", "[plans.pro\nmax_seconds = 3\n")
    with pytest.raises(InvalidInputError, match=r"broken\.toml is not valid TOML"):
        load_config(tmp_path, config_file=bad)


def test_missing_config_file_is_refused(tmp_path):
    with pytest.raises(InvalidInputError, match=r"no such configuration file: .*nope\.toml"):
        load_config(tmp_path, config_file=tmp_path / "nope.toml")


def test_negative_workers_are_refused(tmp_path):
    with pytest.raises(InvalidInputError) as e:
        load_config(tmp_path, workers=-1)
    assert e.value.param == "workers"
