"""Code written for OpenAI's (discontinued) Sora API, running against `reelforge serve`.

The only lines that differ from the Sora version are base_url and api_key:

    reelforge keys create --user me --plan pro      # prints the key on its last line
    reelforge serve &                               # http://127.0.0.1:8000/v1
    OPENAI_API_KEY=rf-... python examples/sora_client.py

It creates a clip and waits for it, downloads the video, its thumbnail and spritesheet,
then remixes it and downloads the remix.
"""

from __future__ import annotations

import os
import sys
import warnings

from openai import OpenAI

# openai marks the videos API deprecated since Sora's shutdown; reelforge still serves it.
warnings.filterwarnings("ignore", message="The Sora API", category=DeprecationWarning)

client = OpenAI(
    base_url=os.environ.get("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1"),  # was api.openai.com
    api_key=os.environ["OPENAI_API_KEY"],  # a key from `reelforge keys create`
)
out = os.environ.get("OUT_DIR", ".")

video = client.videos.create_and_poll(
    model="sora-2",
    prompt="A red ball bounces to the right across a grassy field at sunset, slow pan left.",
    size="1280x720",
    seconds="4",
)
if video.status == "failed":
    sys.exit(f"generation failed: {video.error.message}")
print(f"{video.id}: {video.status}, {video.size}, {video.seconds} s")

client.videos.download_content(video.id, variant="video").write_to_file(f"{out}/video.mp4")
client.videos.download_content(video.id, variant="thumbnail").write_to_file(f"{out}/thumb.webp")
client.videos.download_content(video.id, variant="spritesheet").write_to_file(f"{out}/sprites.jpg")
print(f"wrote {out}/video.mp4, {out}/thumb.webp, {out}/sprites.jpg")

remix = client.videos.remix(video.id, prompt="The same shot at night, with a blue ball.")
remix = client.videos.poll(remix.id)
if remix.status == "failed":
    sys.exit(f"remix failed: {remix.error.message}")
client.videos.download_content(remix.id).write_to_file(f"{out}/remix.mp4")
print(f"{remix.id}: remix of {remix.remixed_from_video_id}, wrote {out}/remix.mp4")
