"""A tiny random-weight native engine, saved to a temp folder and loaded the real way.

Helpers are fixtures (not imports) so the tests work under any pytest import mode.
"""

import numpy as np
import pytest

from reelforge.engines.native import NativeEngine
from reelforge.engines.native_weights import save_random_weights


@pytest.fixture(scope="session")
def weights(tmp_path_factory):
    """engine.json: 16:9 at 128x72, 9:16 at 72x128, 1:1 at 64x64; 12 fps; 25 frames; hash text."""
    return save_random_weights(tmp_path_factory.mktemp("native-weights"))


@pytest.fixture(scope="session")
def engine(weights):
    return NativeEngine(weights)


@pytest.fixture(scope="session")
def frames():
    """uint8 (9, 72, 128, 3): a coloured gradient drifting right, one frame per step."""
    y, x = np.mgrid[0:72, 0:128]
    t = np.arange(9)[:, None, None]
    rgb = [40 + 1.5 * (x + 4 * t), 40 + 2.0 * y + 0 * t, 200 - 8 * t + 0 * x]
    return np.stack(rgb, axis=-1).clip(0, 255).astype(np.uint8)
