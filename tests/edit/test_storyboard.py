"""Storyboards as a user sees them: the file format, each card's time on screen, and
cards that continue from the shot before or cut to a new one."""

import json

import numpy as np
import pytest
from PIL import Image

from edit.recording import Recording
from reelforge.edit.extend import CONTEXT_FRAMES, Sampling
from reelforge.edit.storyboard import load_storyboard, parse_storyboard, render_storyboard
from reelforge.engines.native import NativeEngine
from reelforge.engines.native_weights import save_random_weights
from reelforge.types import InvalidInputError, NotFoundError

EXAMPLE = "examples/storyboard.toml"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return NativeEngine(save_random_weights(tmp_path_factory.mktemp("board-weights")))


def test_the_example_board_reads_with_its_timeline():
    board = load_storyboard(EXAMPLE)
    assert board.size == (128, 72) and board.seed == 7
    assert [c.cut for c in board.cards] == [False, False, True]
    assert board.timeline() == [(0.0, 3.0), (3.0, 6.0), (6.0, 8.5)]  # card 2 holds to 6 s


def test_json_boards_and_images_relative_to_the_file(tmp_path):
    Image.fromarray(np.full((72, 128, 3), 200, np.uint8)).save(tmp_path / "sky.png")
    path = tmp_path / "board.json"
    path.write_text(json.dumps({"card": [{"prompt": "sky", "duration": 1, "image": "sky.png"}]}))
    (card,) = load_storyboard(path).cards
    assert card.image == tmp_path / "sky.png" and card.duration == 1.0


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"card": []}, "at least one card"),
        ({"card": [{"prompt": "a", "duration": 0}]}, "positive duration"),
        ({"card": [{"duration": 1}]}, "needs a prompt"),
        ({"card": [{"prompt": "a", "duration": 1, "start": 1}]}, "the first card starts at 0"),
        (
            {"card": [{"prompt": "a", "duration": 2}, {"prompt": "b", "duration": 1, "start": 1}]},
            "card 2 starts at 1 s, before card 1 ends at 2 s",
        ),
        ({"card": [{"prompt": "a", "duration": 1, "cut": "yes"}]}, "cut must be true or false"),
        ({"card": [{"prompt": "a", "duration": 1, "colour": "red"}]}, "unknown keys: colour"),
        ({"size": "big", "card": [{"prompt": "a", "duration": 1}]}, "bad size"),
    ],
)
def test_bad_boards_are_refused_saying_what_to_change(data, says):
    with pytest.raises(InvalidInputError, match=says):
        parse_storyboard(data).timeline()


def test_a_missing_image_is_named(tmp_path):
    with pytest.raises(NotFoundError, match="no image file"):
        parse_storyboard({"card": [{"prompt": "a", "duration": 1, "image": "x.png"}]}, tmp_path)


def test_cards_get_their_time_and_continue_or_cut(engine):
    board = parse_storyboard({"card": [
        {"prompt": "a red ball rolls right", "duration": 1.5},
        {"prompt": "the ball bounces", "duration": 1.0},
        {"prompt": "a blue star at night", "start": 3.0, "duration": 0.75, "cut": True},
    ]})  # fmt: skip
    recording = Recording(engine)
    clip = render_storyboard(board, recording, sampling=Sampling(steps=1))
    assert (clip.width, clip.height, clip.fps) == (128, 72, 12.0)
    assert clip.num_frames == 45  # 3.75 s
    cards = clip.metadata["edit"]["cards"]
    assert [c["frames"] for c in cards] == [[0, 18], [18, 36], [36, 45]]  # card 2 holds to 3 s
    assert [c["cut"] for c in cards] == [True, False, True]
    assert clip.metadata["edit"]["joins"] == [[18, 18]]  # the continuing card; cuts show
    (first, _), (second, _), (third, _) = recording.calls
    assert first.keyframes == [] and third.keyframes == []  # fresh shots
    (given,) = second.keyframes
    assert given.index == 0 and np.array_equal(given.frames, clip.frames[18 - CONTEXT_FRAMES : 18])
    assert second.prompt == "the ball bounces" and clip.metadata["operation"] == "storyboard"


def test_an_image_starts_a_fresh_card_and_ends_a_continuing_one(tmp_path, engine):
    red = np.zeros((72, 128, 3), np.uint8)
    red[..., 0] = 220
    Image.fromarray(red).save(tmp_path / "red.png")
    Image.fromarray(255 - red).save(tmp_path / "cyan.png")
    board = parse_storyboard({"card": [
        {"prompt": "a red wall", "duration": 1.0, "image": "red.png"},
        {"prompt": "a cyan wall", "duration": 1.0, "image": "cyan.png"},
    ]}, tmp_path)  # fmt: skip
    clip = render_storyboard(board, engine, size=(256, 144), sampling=Sampling(steps=1))
    assert clip.frames.shape == (24, 144, 256, 3)
    colour = np.array([220, 0, 0])
    assert np.abs(clip.frames[0].astype(int) - colour).max() <= 2  # upscaled, still the image
    assert np.abs(clip.frames[-1].astype(int) - (255 - colour)).max() <= 2
    assert [p["source"] for p in clip.metadata["parents"]] == ["red.png", "cyan.png"]
