"""The diffusers engines' shared parts that need no diffusers: settings, the weights
folder checks, and sizes and frame counts read from the models' configs."""

import json
import re
import sys

import pytest

from reelforge.engines import get_engine, ltx, wan
from reelforge.engines.diffusers_common import (
    DiffusersConfig,
    chunk,
    given_sizes,
    native_sizes,
    read_folder,
)
from reelforge.types import InvalidInputError, NotFoundError, UnsupportedError

LTX_COMPONENTS = ("transformer", "vae", "text_encoder", "tokenizer", "scheduler")
# LTX-Video 0.9.x's published configs, in part: VAE patch 4 and three scaling blocks
LTX_VAE = {"patch_size": 4, "patch_size_t": 1, "spatio_temporal_scaling": [True, True, True, False]}
LTX_TRANSFORMER = {"patch_size": 1, "patch_size_t": 1, "in_channels": 128}


def fake_folder(root, components=LTX_COMPONENTS, configs=None, pipeline="LTXConditionPipeline"):
    """A diffusers-layout folder of configs and empty weight files (no diffusers needed)."""
    configs = configs or {"vae": LTX_VAE, "transformer": LTX_TRANSFORMER}
    index = {"_class_name": pipeline} | {c: ["diffusers", "X"] for c in components}
    root.mkdir(parents=True, exist_ok=True)
    (root / "model_index.json").write_text(json.dumps(index))
    for c in components:
        (root / c).mkdir()
        if c == "scheduler":
            (root / c / "scheduler_config.json").write_text("{}")
        elif c == "tokenizer":
            (root / c / "tokenizer.json").write_text("{}")
        else:
            (root / c / "config.json").write_text(json.dumps(configs.get(c, {})))
            (root / c / "diffusion_pytorch_model.safetensors").write_bytes(b"")
    return root


# ---------------------------------------------------------------------------
# Nothing is downloaded: a missing folder or file is named
# ---------------------------------------------------------------------------


def test_a_missing_folder_is_named(tmp_path):
    missing = re.escape(f"weights folder {tmp_path / 'nope'} does not exist")
    with pytest.raises(NotFoundError, match=missing):
        get_engine("ltx", path=tmp_path / "nope")


def test_a_folder_without_model_index_is_not_a_diffusers_folder(tmp_path):
    with pytest.raises(NotFoundError, match=r"model_index\.json is missing"):
        read_folder(tmp_path, LTX_COMPONENTS)


@pytest.mark.parametrize(
    ("remove", "named"),
    [
        ("vae/config.json", "vae/config.json is missing"),
        ("transformer/diffusion_pytorch_model.safetensors", "transformer holds no weights"),
        ("scheduler/scheduler_config.json", "scheduler/scheduler_config.json is missing"),
        ("tokenizer/tokenizer.json", "tokenizer/tokenizer_config.json is missing"),
    ],
)
def test_a_missing_file_is_named(tmp_path, remove, named):
    folder = fake_folder(tmp_path / "ltx")
    (folder / remove).unlink()
    with pytest.raises(NotFoundError, match=named):
        get_engine("ltx", path=folder)


def test_a_missing_shard_of_a_sharded_model_is_named(tmp_path):
    folder = fake_folder(tmp_path / "ltx")
    weights = folder / "transformer"
    (weights / "diffusion_pytorch_model.safetensors").unlink()
    shards = {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}
    index = weights / "diffusion_pytorch_model.safetensors.index.json"
    index.write_text(json.dumps({"weight_map": shards}))
    (weights / shards["a"]).write_bytes(b"")
    with pytest.raises(NotFoundError, match=r"model-00002-of-00002\.safetensors is missing"):
        read_folder(folder, LTX_COMPONENTS)


def test_a_folder_lacking_a_component_is_refused(tmp_path):
    folder = fake_folder(tmp_path / "ltx", components=("vae", "text_encoder", "tokenizer"))
    with pytest.raises(NotFoundError, match="lists no transformer"):
        get_engine("ltx", path=folder)


def test_without_diffusers_the_engine_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "diffusers", None)  # import diffusers → ImportError
    with pytest.raises(UnsupportedError, match="diffusers, which is not installed") as e:
        get_engine("ltx", path=fake_folder(tmp_path / "ltx"), device="cpu")
    assert "reelforge[diffusers]" in str(e.value)


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


def test_settings_take_weights_as_path_and_refuse_unknown_keys(tmp_path):
    config, _ = DiffusersConfig.read({"weights": str(tmp_path), "resolution": 480}, {}, "ltx")
    assert config.path == tmp_path and config.resolution == (480,)
    with pytest.raises(InvalidInputError, match="unknown ltx engine settings: colour"):
        DiffusersConfig.read({"path": str(tmp_path), "colour": "red"}, {}, "ltx")
    with pytest.raises(InvalidInputError, match="needs its weights folder"):
        DiffusersConfig.read({}, {}, "ltx")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"memory": "swap"}, "memory must be one of none, model_offload, sequential_offload"),
        ({"dtype": "int8"}, "dtype must be auto or one of"),
        ({"memory": "model_offload", "device": "cpu"}, "moves models between the CPU"),
        ({"sizes": ["832by480"]}, "a size is WIDTHxHEIGHT"),
    ],
)
def test_bad_settings_are_refused_by_name(tmp_path, settings, message):
    with pytest.raises(InvalidInputError, match=message):
        get_engine("ltx", path=fake_folder(tmp_path / "ltx"), **settings)


def test_options_merge_over_the_family_defaults(tmp_path):
    config, _ = DiffusersConfig.read(
        {"path": str(tmp_path), "options": {"decode_timestep": 0.0}}, ltx.DEFAULTS, "ltx"
    )
    assert config.options == {"decode_timestep": 0.0, "image_cond_noise_scale": 0.025}


# ---------------------------------------------------------------------------
# Sizes and frame counts from the models' configs
# ---------------------------------------------------------------------------


def test_ltx_geometry_comes_from_its_configs():
    g = ltx.geometry(LTX_VAE, LTX_TRANSFORMER)
    assert (g.spatial, g.temporal, g.grid) == (32, 8, 32)  # sizes in 32s, frames 1 + 8k
    # 0.9.5 and later: four scaling blocks, the ratios stated in the config
    vae095 = LTX_VAE | {"spatio_temporal_scaling": [True] * 4, "spatial_compression_ratio": 32}
    g = ltx.geometry(vae095 | {"temporal_compression_ratio": 8}, LTX_TRANSFORMER)
    assert (g.grid, g.temporal) == (32, 8)


def test_wan_geometry_comes_from_its_configs(tmp_path):
    components = ("transformer", "vae", "text_encoder", "tokenizer", "scheduler")
    wan21 = {"vae": {"z_dim": 16}, "transformer": {"patch_size": [1, 2, 2], "in_channels": 16}}
    wan22 = {  # the TI2V-5B VAE: 16x spatial
        "vae": {"z_dim": 48, "scale_factor_spatial": 16, "scale_factor_temporal": 4},
        "transformer": {"patch_size": [1, 2, 2], "in_channels": 48},
    }
    for name, configs, grid in (("21", wan21, 16), ("22", wan22, 32)):
        folder = read_folder(
            fake_folder(tmp_path / name, components, configs, "WanPipeline"), components
        )
        g = wan.geometry(folder)
        assert (g.grid, g.temporal) == (grid, 4)
        assert wan.kind_of(folder) == "t2v"


def test_native_sizes_sit_on_the_grid_within_half_a_percent_of_their_aspect():
    sizes = native_sizes(32, (512, 704))  # LTX's defaults
    assert sizes["16:9"] == ((800, 448), (1248, 704))
    assert sizes["1:1"] == ((512, 512), (704, 704))
    assert sizes["7:4"][0] == (896, 512)
    wan480 = native_sizes(16, (480, 720))
    assert wan480["16:9"] == ((800, 448), (1280, 720))
    assert wan480["9:16"] == ((448, 800), (720, 1280))
    for grid, table in ((32, sizes), (16, wan480)):
        for aspect, found in table.items():
            a, b = map(int, aspect.split(":"))
            for w, h in found:
                assert w % grid == 0 and h % grid == 0
                assert abs(w / h / (a / b) - 1) <= 0.005


def test_explicit_sizes_are_grouped_by_aspect_and_must_sit_on_the_grid():
    assert given_sizes(((832, 480), (480, 832), (64, 32)), 16, "wan") == {
        "26:15": ((832, 480),),  # 832x480 is 2.5% off 16:9: its own aspect, never stretched
        "15:26": ((480, 832),),
        "2:1": ((64, 32),),
    }
    with pytest.raises(InvalidInputError, match="not a multiple of 32"):
        given_sizes(((720, 480),), 32, "ltx")


def test_frame_runs_follow_the_rule():
    assert [chunk(n, 8) for n in (1, 5, 8, 9, 16, 17)] == [1, 1, 1, 9, 9, 17]


# ---------------------------------------------------------------------------
# reelforge engines list
# ---------------------------------------------------------------------------


def test_engines_list_shows_the_kinds_and_what_each_configured_engine_makes(tmp_path):
    from typer.testing import CliRunner

    from reelforge.cli.main import app

    folder = fake_folder(tmp_path / "ltx-video")
    config = tmp_path / "reelforge.toml"
    config.write_text(
        '[models]\n"sora-2-pro" = "ltx"\n\n'
        f'[engines.ltx]\nkind = "ltx"\npath = "{folder}"\ndevice = "cpu"\n\n'
        f'[engines.wan]\nkind = "wan"\npath = "{tmp_path / "missing"}"\n'
    )
    result = CliRunner().invoke(app, ["engines", "list", "--config", str(config)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0].strip() for line in lines[1:4]] == ["native", "ltx", "wan"]
    ltx_line = next(line for line in lines if line.startswith("  ltx (kind ltx)"))
    if "diffusers, which is not installed" not in ltx_line:  # the sizes come from the configs
        assert "sizes: 16:9 at 800x448 or 1248x704" in ltx_line
        assert "frame counts 1+8k" in ltx_line
    wan_line = next(line for line in lines if line.startswith("  wan (kind wan)"))
    assert f"not usable: weights folder {tmp_path / 'missing'} does not exist" in wan_line
    assert "sora-2-pro -> ltx" in result.output
