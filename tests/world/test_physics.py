import itertools
import math

import pytest

from reelforge.world.physics import BOUNCE_RESTITUTION, STATE_RATE, simulate
from reelforge.world.scene import GRAVITY, SIZE_RADIUS, VIEW_HEIGHT, Motion, Scene, SceneObject


def _scene(*objects: SceneObject, **kw) -> Scene:
    return Scene(objects=objects, **kw)


def _drop(height: float = 2.0, material: str = "rubber") -> SceneObject:
    return SceneObject(material=material, motion=Motion(kind="bounce", height=height))


def test_first_ground_impact_time_is_exact():
    sim = simulate(_scene(_drop(2.0)), 2.0)
    r = SIZE_RADIUS["medium"]
    expected = math.sqrt(2 * (2.0 - r) / GRAVITY)
    first = sim.impacts[0]
    assert first.kind == "ground" and first.b == -1
    assert first.time == pytest.approx(expected, abs=1e-9)
    assert first.speed == pytest.approx(GRAVITY * expected, rel=1e-9)


def test_bounces_lose_energy_by_the_restitution():
    sim = simulate(_scene(_drop(2.5)), 3.0)
    ground = [e for e in sim.impacts if e.kind == "ground"]
    assert len(ground) >= 3
    e = BOUNCE_RESTITUTION["rubber"]
    for before, after in itertools.pairwise(ground[:3]):
        assert after.speed == pytest.approx(before.speed * e, rel=1e-6)
    # the time between bounces is the flight time of the rebound: 2 v / g
    assert ground[1].time - ground[0].time == pytest.approx(2 * ground[0].speed * e / GRAVITY)


def test_rolling_ball_hits_a_resting_cube_and_comes_back():
    ball = SceneObject(x=-0.3, motion=Motion(kind="roll", direction="right", speed=1.5))
    cube = SceneObject(shape="cube", color="blue", x=0.1, motion=Motion(kind="stay"))
    sim = simulate(_scene(ball, cube), 4.0)
    hits = [e for e in sim.impacts if e.kind == "collision"]
    assert len(hits) == 1 and {hits[0].a, hits[0].b} == {0, 1}
    k = int(hits[0].time * STATE_RATE)
    assert sim.pos[k + 24, 0, 0] < sim.pos[k, 0, 0]  # moving left after the hit
    assert (sim.pos[:, 1] == sim.pos[0, 1]).all()  # the cube never moved


def test_start_positions_are_fractions_of_the_view_width():
    obj = SceneObject(x=0.25, motion=Motion(kind="stay"))
    for aspect in (16 / 9, 9 / 16, 1.0):
        sim = simulate(_scene(obj), 1.0, aspect)
        assert sim.pos[0, 0, 0] == pytest.approx(0.25 * VIEW_HEIGHT * aspect)


def test_scripted_motions_follow_their_direction():
    fly = SceneObject(x=-0.4, motion=Motion(kind="fly", direction="right", speed=1.0))
    rise = SceneObject(x=0.3, motion=Motion(kind="rise", speed=0.5))
    orbit = SceneObject(motion=Motion(kind="orbit", direction="counterclockwise", speed=0.25))
    sim = simulate(_scene(fly, rise, orbit), 2.0)
    pos = sim.pos
    assert pos[-1, 0, 0] - pos[0, 0, 0] == pytest.approx(2.0, abs=0.02)
    assert pos[-1, 1, 1] - pos[0, 1, 1] == pytest.approx(1.0, abs=0.02)
    # counterclockwise from the top of the circle goes left first
    assert pos[STATE_RATE // 4, 2, 0] < pos[0, 2, 0]


def test_camera_paths():
    obj = SceneObject(motion=Motion(kind="roll", direction="left", speed=1.0))
    pan = simulate(_scene(obj, camera={"move": "pan_left", "speed": 0.5}), 2.0).camera
    assert pan[-1, 0] == pytest.approx(-1.0, abs=0.01)
    push = simulate(_scene(obj, camera={"move": "push_in", "speed": 0.2}), 2.0).camera
    assert push[-1, 2] == pytest.approx(1.2**2, rel=0.01)
    track = simulate(_scene(obj, camera={"move": "tracking", "target": 0}), 3.0)
    assert track.camera[-1, 0] < -2.0  # follows the ball to the left, lagging a little
    assert track.camera[-1, 0] > track.pos[-1, 0, 0] - track.pos[0, 0, 0]


def test_sample_interpolates_between_states():
    sim = simulate(_scene(SceneObject(motion=Motion(kind="fly", direction="right"))), 1.0)
    pos, _, cam, occ = sim.sample(0.5 + 0.5 / STATE_RATE)
    mid = (sim.pos[STATE_RATE // 2] + sim.pos[STATE_RATE // 2 + 1]) / 2
    assert pos == pytest.approx(mid)
    assert cam.shape == (3,) and occ is None


def test_simulation_is_deterministic():
    scene = _scene(_drop(2.2), SceneObject(x=0.1, motion=Motion(kind="roll", direction="left")))
    a, b = simulate(scene, 3.0), simulate(scene, 3.0)
    assert (a.pos == b.pos).all() and a.impacts == b.impacts


def test_bad_durations_are_refused():
    with pytest.raises(ValueError):
        simulate(_scene(_drop()), 0.0)


def test_scripted_paths_stay_above_the_ground():
    low_fly = SceneObject(size="large", motion=Motion(kind="fly", height=0.0))
    low_orbit = SceneObject(size="large", motion=Motion(kind="orbit", height=0.2, radius=1.0))
    sim = simulate(_scene(low_fly, low_orbit), 4.0)
    radius = SIZE_RADIUS["large"]
    assert (sim.pos[:, :, 1] - radius > 0).all()
