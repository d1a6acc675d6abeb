"""`reelforge generate --engine ltx|wan` from a configured local folder: a tiny random
checkpoint of each family (tests/engines/tiny_diffusers.py) named in a studio TOML's
[engines.NAME] table, the MP4 read back."""

import pytest

pytest.importorskip("diffusers", reason="the ltx and wan engines need diffusers")

from typer.testing import CliRunner

from engines import tiny_diffusers
from reelforge.cli.main import app
from reelforge.media import probe

# kind → (tiny checkpoint builder, its default fps)
KINDS = {"ltx": (tiny_diffusers.ltx, 24), "wan": (tiny_diffusers.wan_t2v, 16)}


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    """reelforge.toml configuring both tiny checkpoints under their kinds' names. The
    invisible watermark needs a short side of 96, so clips are made at 64x32 and upscaled."""
    root = tmp_path_factory.mktemp("generate-diffusers")
    tables = [
        f'[engines.{kind}]\nkind = "{kind}"\npath = "{build(root / kind)}"\ndevice = "cpu"\n'
        'sizes = ["64x32"]\nsteps = 2\nmax_upscale = 3.0\n'
        for kind, (build, _) in KINDS.items()
    ]
    path = root / "reelforge.toml"
    path.write_text("\n".join(tables))
    return path


def invoke(*args: str):
    return CliRunner().invoke(app, ["generate", *args])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_generate_with_a_configured_diffusers_engine_writes_the_clip(tmp_path, config, kind):
    out = tmp_path / f"{kind}.mp4"
    result = invoke("a red ball bounces", "--engine", kind, "--config", str(config),
                    "--size", "192x96", "--seconds", "0.5", "--seed", "7", "--no-expand",
                    "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(f"wrote {out}")
    fps = KINDS[kind][1]
    info = probe(out)
    assert (info["width"], info["height"], info["frames"]) == (192, 96, round(0.5 * fps))
    assert info["fps"] == pytest.approx(fps)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--size", "100x100"], "supported: 2:1 at 64x32"),  # no square size on this model
        (["--size", "256x128"], "at most 3x upscaling"),
        (["--seconds", "20"], "at most 257 frames"),
        (["--engine", "tiny"], "no engine named 'tiny'; configured: native, ltx, wan"),
    ],
)
def test_a_request_the_model_cannot_make_is_refused_saying_what_it_makes(
    tmp_path, config, args, says
):
    out = tmp_path / "never.mp4"
    result = invoke("a red ball", "--engine", "ltx", "--config", str(config), *args,
                    "--out", str(out))  # fmt: skip
    assert result.exit_code == 2
    assert says in " ".join(result.stderr.split()), result.stderr
    assert not out.exists()


def test_an_unconfigured_diffusers_engine_needs_its_folder(tmp_path):
    result = invoke("a red ball", "--engine", "ltx", "--out", str(tmp_path / "x.mp4"))
    assert result.exit_code == 2
    assert "the ltx engine needs its weights folder" in " ".join(result.stderr.split())
    missing = tmp_path / "ltx-video"
    result = invoke("a red ball", "--engine", "ltx", "--weights", str(missing),
                    "--out", str(tmp_path / "x.mp4"))  # fmt: skip
    assert result.exit_code == 2
    assert f"weights folder {missing} does not exist" in " ".join(result.stderr.split())
