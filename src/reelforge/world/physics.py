"""The world's physics: where every object, the camera and the occluder are at any time,
and every impact with its exact time.

`simulate(scene, duration, aspect)` integrates the scene once at a fine step and stores
states at `STATE_RATE` Hz; the renderer and the sound both read the same `Simulation`,
so an impact sounds exactly when it is seen. Ground impacts are solved analytically
within a step (ballistic motion is a parabola), so their times are exact to float
precision; impacts between objects are found to within one step (about 1 ms).

Objects that bounce, roll, fall or stay are dynamic bodies (circles of their bounding
radius; a staying object is immovable). Rise, fly and orbit are scripted paths that
pass by the others without touching them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from reelforge.world.scene import CAMERA_HEIGHT, GRAVITY, VIEW_HEIGHT, Scene, SceneObject

STATE_RATE = 240  # Hz: stored states
SUBSTEPS = 4  # integration steps per stored state
REST_SPEED = 0.45  # m/s: a bounce slower than this comes to rest
AUDIBLE_SPEED = 0.3  # m/s: slower contacts make no impact event
COLLISION_DEBOUNCE = 0.05  # s: contacts of one pair closer than this are one impact

BOUNCE_RESTITUTION = {"rubber": 0.82, "glass": 0.74, "wood": 0.7, "metal": 0.68}
FALL_RESTITUTION = 0.3
DEFAULT_HEIGHT = {"bounce": 2.3, "fall": 3.3, "fly": 2.0, "rise": 0.0, "orbit": 1.6}
DYNAMIC = ("bounce", "roll", "fall", "stay")


@dataclass(frozen=True)
class Impact:
    """One impact. a, b: object indices (b = -1 for the ground). speed: the closing
    speed along the contact normal in m/s. x, y: contact point in world metres."""

    time: float
    kind: str  # "ground" or "collision"
    a: int
    b: int
    speed: float
    x: float
    y: float


@dataclass
class Simulation:
    """States of a scene sampled at STATE_RATE Hz from t = 0 to `duration`.

    pos: (N, K, 2) object centres in world metres; angle: (N, K) rotation in radians;
    camera: (N, 3) view centre x, y (metres) and zoom (1 = VIEW_HEIGHT metres tall);
    occluder_x: (N,) occluder centre x in metres, or None.
    """

    scene: Scene
    aspect: float
    duration: float
    times: np.ndarray
    pos: np.ndarray
    angle: np.ndarray
    camera: np.ndarray
    occluder_x: np.ndarray | None
    impacts: list[Impact] = field(default_factory=list)

    @property
    def view_width(self) -> float:
        """Metres of world visible horizontally at zoom 1."""
        return VIEW_HEIGHT * self.aspect

    def sample(self, t: float | np.ndarray) -> tuple[np.ndarray, ...]:
        """Linear interpolation of (pos, angle, camera, occluder_x) at time(s) t."""
        t = np.clip(np.asarray(t, dtype=np.float64), 0.0, self.duration)
        f = t * STATE_RATE
        i0 = np.minimum(np.floor(f).astype(np.int64), len(self.times) - 1)
        i1 = np.minimum(i0 + 1, len(self.times) - 1)
        w = (f - i0)[..., None]

        def lerp(a: np.ndarray) -> np.ndarray:
            ww = w.reshape(w.shape[:-1] + (1,) * (a.ndim - 1))
            return a[i0] * (1 - ww) + a[i1] * ww

        occ = None if self.occluder_x is None else lerp(self.occluder_x)
        return lerp(self.pos), lerp(self.angle), lerp(self.camera), occ


# ---------------------------------------------------------------------------
# Bodies
# ---------------------------------------------------------------------------


@dataclass
class _Body:
    obj: SceneObject
    x: float
    y: float
    vx: float = 0.0
    vy: float = 0.0
    spin: float = 0.0  # rad/s while airborne
    angle: float = 0.0
    restitution: float = 0.7
    dynamic: bool = True
    movable: bool = True
    grounded: bool = False

    @property
    def r(self) -> float:
        return self.obj.radius

    @property
    def mass(self) -> float:
        return self.r**3


def _sign(direction: str) -> float:
    return {"left": -1.0, "right": 1.0, "counterclockwise": 1.0, "clockwise": -1.0}.get(
        direction, 0.0
    )


def _start_body(obj: SceneObject, view_width: float) -> _Body:
    m = obj.motion
    x = obj.x * view_width
    h = m.height if m.height is not None else DEFAULT_HEIGHT.get(m.kind, 0.0)
    s = _sign(m.direction)
    r = obj.radius
    if m.kind == "stay":
        return _Body(obj, x, r, movable=False, grounded=True)
    if m.kind == "roll":
        return _Body(obj, x, r, vx=s * m.speed, grounded=True)
    if m.kind == "bounce":
        e = BOUNCE_RESTITUTION[obj.material]
        return _Body(obj, x, max(h, r), vx=s * m.speed, spin=-s * m.speed / r, restitution=e)
    if m.kind == "fall":
        return _Body(obj, x, max(h, r), vx=s * m.speed, restitution=FALL_RESTITUTION)
    return _Body(obj, x, max(h, r), dynamic=False, movable=False)


def _scripted_state(obj: SceneObject, x0: float, t: float) -> tuple[float, float, float]:
    """Position and angle of a rise / fly / orbit object at time t."""
    m = obj.motion
    h = m.height if m.height is not None else DEFAULT_HEIGHT[m.kind]
    s = _sign(m.direction)
    r = obj.radius
    if m.kind == "rise":
        return x0 + 0.35 * s * m.speed * t, max(h, r) + m.speed * t, 0.15 * math.sin(1.3 * t)
    if m.kind == "fly":  # never lower than skimming the ground
        h = max(h, r + 0.1)
        return x0 + s * m.speed * t, h + 0.08 * math.sin(2 * math.pi * 0.7 * t), 0.0
    # orbit: start at the top of the circle; counterclockwise is +angle (y is up); the
    # centre is raised if needed so the circle never dips into the ground
    h = max(h, m.radius + r + 0.05)
    theta = math.pi / 2 + s * 2 * math.pi * m.speed * t
    return x0 + m.radius * math.cos(theta), h + m.radius * math.sin(theta), theta - math.pi / 2


# ---------------------------------------------------------------------------
# Integration
# ---------------------------------------------------------------------------


def _step_ground(b: _Body, t: float, dt: float, index: int, impacts: list[Impact]) -> None:
    """Advance one body by dt under gravity, bouncing on the ground exactly."""
    remaining = dt
    while remaining > 1e-12:
        if b.grounded:
            b.vy = 0.0
            b.x += b.vx * remaining
            b.angle -= b.vx / b.r * remaining
            return
        # y(tau) = y + vy*tau - g/2 tau^2 ; find first tau with y(tau) = r
        gap = b.y - b.r
        disc = b.vy * b.vy + 2 * GRAVITY * gap
        tau = (b.vy + math.sqrt(max(disc, 0.0))) / GRAVITY
        if tau >= remaining:
            b.x += b.vx * remaining
            b.y += b.vy * remaining - 0.5 * GRAVITY * remaining**2
            b.vy -= GRAVITY * remaining
            b.angle += b.spin * remaining
            return
        tau = max(tau, 0.0)
        b.x += b.vx * tau
        b.y = b.r
        b.angle += b.spin * tau
        impact_speed = -(b.vy - GRAVITY * tau)
        t_hit = t + (dt - remaining) + tau
        if impact_speed > AUDIBLE_SPEED:
            impacts.append(Impact(t_hit, "ground", index, -1, impact_speed, b.x, 0.0))
        bounce = impact_speed * b.restitution
        if bounce < REST_SPEED:
            b.vy, b.grounded, b.spin = 0.0, True, 0.0
        else:
            b.vy = bounce
        remaining -= tau


def _collide(
    bodies: list[_Body], t: float, impacts: list[Impact], last_hit: dict[tuple[int, int], float]
) -> None:
    """Resolve overlaps between dynamic bodies with an impulse along the normal.

    Resolving one contact can take a few steps; `last_hit` keeps it one impact event."""
    for i in range(len(bodies)):
        bi = bodies[i]
        if not bi.dynamic:
            continue
        for j in range(i + 1, len(bodies)):
            bj = bodies[j]
            if not bj.dynamic or not (bi.movable or bj.movable):
                continue
            dx, dy = bj.x - bi.x, bj.y - bi.y
            dist = math.hypot(dx, dy)
            overlap = bi.r + bj.r - dist
            if overlap <= 0 or dist < 1e-9:
                continue
            nx, ny = dx / dist, dy / dist
            closing = (bi.vx - bj.vx) * nx + (bi.vy - bj.vy) * ny
            inv_i = 1 / bi.mass if bi.movable else 0.0
            inv_j = 1 / bj.mass if bj.movable else 0.0
            # push apart so they never sink into each other
            share = overlap / (inv_i + inv_j)
            bi.x -= nx * share * inv_i
            bi.y -= ny * share * inv_i
            bj.x += nx * share * inv_j
            bj.y += ny * share * inv_j
            if closing <= 0:
                continue
            pair = (i, j)
            e = min(bi.restitution, bj.restitution)
            jimp = (1 + e) * closing / (inv_i + inv_j)
            for b, sign, inv in ((bi, -1, inv_i), (bj, 1, inv_j)):
                b.vx += sign * jimp * inv * nx
                b.vy += sign * jimp * inv * ny
                if inv and abs(b.vy) > REST_SPEED:
                    b.grounded = False
            if closing > AUDIBLE_SPEED and t - last_hit.get(pair, -1.0) > COLLISION_DEBOUNCE:
                last_hit[pair] = t
                cx, cy = bi.x + nx * bi.r, bi.y + ny * bi.r
                impacts.append(Impact(t, "collision", i, j, closing, cx, cy))


def _camera_path(scene: Scene, times: np.ndarray, pos: np.ndarray) -> np.ndarray:
    cam = scene.camera
    n = len(times)
    out = np.zeros((n, 3))
    out[:, 1] = CAMERA_HEIGHT
    out[:, 2] = 1.0
    v = cam.speed
    if cam.move == "pan_left":
        out[:, 0] = -v * times
    elif cam.move == "pan_right":
        out[:, 0] = v * times
    elif cam.move == "tilt_up":
        out[:, 1] += v * times
    elif cam.move == "tilt_down":
        out[:, 1] -= v * times
    elif cam.move == "push_in":
        out[:, 2] = (1 + v) ** times
    elif cam.move == "pull_out":
        out[:, 2] = (1 + v) ** -times
    elif cam.move == "tracking":
        track = pos[:, cam.target, 0] - pos[0, cam.target, 0]
        # a camera operator lags a little behind the subject: first-order smoothing
        alpha = 1 - math.exp(-1 / (0.25 * STATE_RATE))
        smooth = np.empty_like(track)
        acc = 0.0
        for k, value in enumerate(track):
            acc += alpha * (value - acc)
            smooth[k] = acc
        out[:, 0] = smooth
    return out


def simulate(scene: Scene, duration: float, aspect: float = 16 / 9) -> Simulation:
    """Run the scene's physics for `duration` seconds framed at `aspect` (width/height)."""
    if duration <= 0:
        raise ValueError(f"duration must be positive, got {duration}")
    if aspect <= 0:
        raise ValueError(f"aspect must be positive, got {aspect}")
    view_width = VIEW_HEIGHT * aspect
    bodies = [_start_body(o, view_width) for o in scene.objects]
    starts = [b.x for b in bodies]
    n = math.floor(duration * STATE_RATE + 1e-9) + 2  # one state past the end
    times = np.arange(n) / STATE_RATE
    pos = np.zeros((n, len(bodies), 2))
    angle = np.zeros((n, len(bodies)))
    impacts: list[Impact] = []
    last_hit: dict[tuple[int, int], float] = {}
    dt = 1.0 / (STATE_RATE * SUBSTEPS)
    t = 0.0
    for k in range(n):
        t = k / STATE_RATE
        for i, b in enumerate(bodies):
            if not b.dynamic:
                b.x, b.y, b.angle = _scripted_state(b.obj, starts[i], t)
            pos[k, i] = b.x, b.y
            angle[k, i] = b.angle
        if k == n - 1:
            break
        for sub in range(SUBSTEPS):
            ts = t + sub * dt
            for i, b in enumerate(bodies):
                if b.dynamic and b.movable:
                    _step_ground(b, ts, dt, i, impacts)
            _collide(bodies, ts + dt, impacts, last_hit)
    occ = None
    if scene.occluder is not None:
        occ = scene.occluder.x * view_width + scene.occluder.speed * times
    impacts.sort(key=lambda e: e.time)
    impacts = [e for e in impacts if e.time <= duration]
    return Simulation(
        scene=scene,
        aspect=aspect,
        duration=duration,
        times=times,
        pos=pos,
        angle=angle,
        camera=_camera_path(scene, times, pos),
        occluder_x=occ,
        impacts=impacts,
    )
