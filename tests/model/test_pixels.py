import numpy as np
import torch

from reelforge.model.pixels import frames_to_video, video_to_frames


def test_frames_round_trip_exactly_through_the_video_convention():
    frames = np.random.default_rng(0).integers(0, 256, size=(2, 5, 6, 7, 3), dtype=np.uint8)
    video = frames_to_video(frames)
    assert video.shape == (2, 3, 5, 6, 7) and video.dtype == np.float32
    assert video.min() >= -1.0 and video.max() <= 1.0
    assert np.array_equal(video_to_frames(torch.from_numpy(video)), frames)


def test_out_of_range_video_is_clamped():
    video = torch.tensor([-3.0, -1.0, 0.0, 1.0, 2.5]).reshape(1, 1, 1, 5).expand(3, 1, 1, 5)
    assert video_to_frames(video)[0, 0, :, 0].tolist() == [0, 0, 128, 255, 255]


def test_the_tensor_conversion_gives_the_same_floats_as_the_array_one():
    from reelforge.model.pixels import frames_to_video_tensor

    frames = np.random.default_rng(1).integers(0, 256, size=(2, 5, 6, 7, 3), dtype=np.uint8)
    video = frames_to_video_tensor(torch.from_numpy(frames))
    assert video.dtype == torch.float32 and video.shape == (2, 3, 5, 6, 7)
    assert torch.equal(video, torch.from_numpy(frames_to_video(frames)))
