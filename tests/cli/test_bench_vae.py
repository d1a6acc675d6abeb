"""`reelforge bench vae`: round-trip PSNR and judder of VAE files on held-out clips."""

import json

from typer.testing import CliRunner

from reelforge.cli.main import app
from reelforge.engines.native_weights import save_random_weights


def test_two_vaes_are_measured_on_the_same_clips(tmp_path):
    folder = save_random_weights(tmp_path / "w", sizes={"16:9": [[128, 72]]})
    result = CliRunner().invoke(
        app, ["bench", "vae", str(folder), str(folder / "vae.safetensors"), "--scenes", "3",
              "--threads", "1", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert [r["vae"] for r in rows] == [str(folder / "vae.safetensors")] * 2
    assert rows[0]["psnr_db"] == rows[1]["psnr_db"] < 20  # random weights reconstruct badly
    assert 0.8 < rows[0]["renderer_judder"] < 1.3  # the renderer moves steadily
