"""The studio serves the diffusers engines by model name, built from its TOML as is:
`[engines.NAME] kind = "ltx" | "wan"` + `[models] "sora-2" = NAME`, a tiny checkpoint, a
job through the queue and a worker, the MP4 read back."""

import time

import pytest

pytest.importorskip("diffusers", reason="the ltx and wan engines need diffusers")

from engines import tiny_diffusers
from reelforge.media import read_clip
from reelforge.studio import Studio, load_config
from reelforge.studio.accounts import create_key

# kind → (tiny checkpoint builder, its fps: the frames one second makes)
KINDS = {"ltx": (tiny_diffusers.ltx, 24), "wan": (tiny_diffusers.wan_t2v, 16)}


@pytest.fixture(params=sorted(KINDS))
def studio(request, tmp_path):
    kind = request.param
    build, _ = KINDS[kind]
    weights = build(tmp_path / kind)
    config = tmp_path / "reelforge.toml"
    # The invisible watermark needs a short side of 96: 64x32 native, upscaled 3x. A tiny
    # random model's noise can look like a face to the face detector, which would hold
    # the job for review: this test is about serving, so outputs are not reviewed.
    config.write_text(
        "[safety]\nreview_faces = false\n\n"
        f'[models]\n"sora-2" = "tiny-{kind}"\n\n'
        f'[engines.tiny-{kind}]\nkind = "{kind}"\npath = "{weights}"\ndevice = "cpu"\n'
        'sizes = ["64x32", "32x64"]\nsteps = 2\nmax_upscale = 3.0\n'
    )
    studio = Studio(load_config(tmp_path / "data", config_file=config, workers=1))
    studio.start()
    yield kind, studio
    studio.stop()


def test_a_job_for_sora_2_is_made_by_the_configured_diffusers_engine(studio):
    kind, studio = studio
    user = create_key(studio.ctx.db, "ada", "pro").user
    video = studio.create_video(
        user, {"prompt": "a red ball bounces", "size": "192x96", "seconds": "1"}, None
    )
    deadline = time.time() + 60
    while video["status"] not in ("completed", "failed") and time.time() < deadline:
        time.sleep(0.2)
        video = studio.get_video(user, video["id"])
    assert video["status"] == "completed", video.get("error")
    path, media_type = studio.video_content(user, video["id"], "video")
    clip = read_clip(path)
    assert media_type == "video/mp4"
    assert (clip.width, clip.height, clip.num_frames) == (192, 96, KINDS[kind][1])  # 1 s
