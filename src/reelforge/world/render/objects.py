"""Objects and their shadows, drawn into a frame inside their bounding boxes.

An object's colour is its palette colour times one light level per pixel (ambient + sun
or moon + street lamps, with the shape's marks and a darker rim) times the light's overall
tint, which is near-neutral; a level too bright for the colour is capped as a whole, so
hue survives every time of day. Metal and glass add a highlight, glass a fresnel edge.
Edges are anti-aliased from the shape's signed distance (about one pixel wide).

Each drawing is a `Stamp`, cached per exact inputs, so an object that does not move
costs one blend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from reelforge.world.palette import PALETTE
from reelforge.world.render.camera import View
from reelforge.world.render.lighting import LAMP_LIGHT, Look
from reelforge.world.render.shapes import HULLS, clamp, distance, lowest, reach, surface
from reelforge.world.render.stamps import Stamp, StampCache, snap
from reelforge.world.scene import SceneObject

# material: (diffuse weight, specular strength, shininess, opacity)
MATERIALS = {
    "rubber": (1.0, 0.16, 10, 1.0),
    "wood": (1.0, 0.0, 6, 1.0),
    "metal": (0.8, 0.7, 48, 1.0),
    "glass": (0.95, 0.85, 80, 0.9),
}
REACH = {shape: reach(shape) for shape in HULLS}
DENSE_PIXELS = 1600  # boxes up to this many pixels are shaded whole
OBJECT_FOG = 0.22  # how much fog veils an object (the background gets more)


@dataclass(frozen=True)
class Light:
    """The light on one object in one frame, reduced to a few numbers."""

    direction: tuple[float, float, float]  # unit, towards the sun or moon
    half: tuple[float, float, float]  # unit half vector of direction and the viewer (+z)
    ambient: float
    direct: float
    lamp: float
    lamp_direction: tuple[float, float, float]
    tint: tuple[float, float, float]  # overall colour of the light, mean 1
    specular: float  # highlight strength (times the material's)
    fog: tuple[float, float, float] | None


def _unit(v: tuple[float, float, float]) -> tuple[float, float, float]:
    n = math.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2)
    return (round(v[0] / n, 6), round(v[1] / n, 6), round(v[2] / n, 6))


def light_for(look: Look, lamp: float, lamp_side: float, fog: bool) -> Light:
    """The light on an object that gets `lamp` (see lamp_strength) of the street lamps."""
    d = _unit(look.light_dir)
    amb, sun = look.ambient, look.light
    lamp_rgb = [c * look.lamps * lamp for c in LAMP_LIGHT]
    mix = [a + 0.5 * b + 0.8 * c for a, b, c in zip(amb, sun, lamp_rgb, strict=True)]
    mean = sum(mix) / 3
    sun_mean, lamp_mean = sum(sun) / 3, sum(lamp_rgb) / 3
    return Light(
        direction=d,
        half=_unit((d[0], d[1], d[2] + 1.0)),
        ambient=round(sum(amb) / 3, 6),
        direct=round(sun_mean, 6),
        lamp=round(lamp_mean, 6),
        lamp_direction=_unit((0.8 * lamp_side, 0.5, 0.4)),
        tint=(round(mix[0] / mean, 6), round(mix[1] / mean, 6), round(mix[2] / mean, 6)),
        specular=round(sun_mean / 0.65 + lamp_mean, 6),
        fog=tuple(float(c) for c in look.fog) if fog else None,
    )


def drawn_center(obj: SceneObject, x: float, y: float, angle: float) -> tuple[float, float]:
    """World centre of the drawn shape: lifted or lowered so that its lowest point is
    where the physics' bounding circle is lowest (a shape at rest touches the ground)."""
    r = obj.radius
    return x, y - r + lowest(obj.shape, angle) * r


def draw_object(
    frame: np.ndarray,
    view: View,
    obj: SceneObject,
    x: float,
    y: float,
    angle: float,
    light: Light,
    cache: StampCache,
) -> None:
    """Draw one object into frame (H, W, 3) uint8 in place."""
    cx, cy = drawn_center(obj, x, y, angle)
    uc, vc = (snap(float(c)) for c in view.to_pixel(cx, cy))
    rpx = obj.radius * view.ppm
    pad = REACH[obj.shape] * rpx + 1.5
    n = math.ceil(2 * pad) + 1
    u0, v0 = math.floor(uc - pad), math.floor(vc - pad)
    # only the part of the box inside the picture (a close object can be huge)
    u0, v0, u1, v1 = max(u0, 0), max(v0, 0), min(u0 + n, view.width), min(v0 + n, view.height)
    if u1 <= u0 or v1 <= v0:
        return
    du, dv = uc - u0, vc - v0
    size = (u1 - u0, v1 - v0)
    key = (obj.shape, obj.color, obj.material, rpx, angle, du, dv, size, light)
    stamp = cache.get(key, lambda: _object_stamp(obj, du, dv, size, rpx, angle, light))
    if stamp is not None:
        stamp.apply(frame, u0, v0)


def _object_stamp(obj, uc, vc, size, rpx, angle, light: Light) -> Stamp | None:
    """The object centred at pixel (uc, vc) of a box of size (w, h) whose top-left pixel
    corner is (0, 0). Distances are found over the whole box; in a large box, shading only
    where the object covers (in a small one, picking those pixels costs more than it saves)."""
    w, h = size
    du = ((np.arange(w, dtype=np.float32) + (0.5 - uc)) / rpx)[None, :]
    dv = ((np.arange(h, dtype=np.float32) + (0.5 - vc)) / -rpx)[:, None]
    c, s = np.float32(math.cos(angle)), np.float32(math.sin(angle))
    lx, ly = c * du + s * dv, c * dv - s * du  # (n, n) in the object's own frame
    sdf = distance(obj.shape, lx, ly)
    sdf_px = sdf * np.float32(rpx)
    alpha = clamp(np.subtract(0.5, sdf_px))
    dense = w * h <= DENSE_PIXELS
    idx = slice(None) if dense else (alpha.ravel() > 0).nonzero()[0]
    if not (alpha.any() if dense else idx.size):
        return None
    x, y, edge = lx.ravel()[idx], ly.ravel()[idx], sdf_px.ravel()[idx]  # (M,)
    surf = surface(obj.shape, x, y, rpx)
    nx, ny, nz = _normals(surf, c, s, sdf, idx)
    level = _light_level(obj, nx, ny, nz, surf, x, y, light)
    # darker rim: about a tenth of the radius (at least a pixel) inside the outline
    level *= clamp(edge * np.float32(-0.32 / max(1.0, 0.1 * rpx)) + 0.68, 0.68, 1.0)
    base = np.asarray(PALETTE[obj.color], dtype=np.float32) * np.asarray(light.tint, np.float32)
    np.minimum(level, 250.0 / float(base.max()), out=level)  # keeps hue: caps the level
    color = level[:, None] * base  # (M, 3)
    _, spec_k, shininess, opacity = MATERIALS[obj.material]
    strength = spec_k * light.specular
    if strength > 0.01:
        hv = light.half
        spec = np.maximum(nx * hv[0] + ny * hv[1] + nz * hv[2], 0.0) ** shininess
        color += (spec * np.float32(strength * 235.0))[:, None]
    if obj.material == "glass":  # brighter towards the edge (fresnel)
        color += ((1.0 - nz) ** 3 * 70.0)[:, None]
    np.minimum(color, 255.0, out=color)
    if light.fog is not None:
        color += (np.asarray(light.fog, dtype=np.float32) - color) * OBJECT_FOG
    a = alpha.ravel()[idx] * np.float32(opacity)
    color *= a[:, None]
    color += 0.5
    if dense:
        return Stamp((1.0 - a).reshape(h, w, 1), color.reshape(h, w, 3))
    keep = np.ones(w * h, dtype=np.float32)
    keep[idx] = 1.0 - a
    paint = np.full((w * h, 3), 0.5, dtype=np.float32)
    paint[idx] = color
    return Stamp(keep.reshape(h, w, 1), paint.reshape(h, w, 3))


def _gradient(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Central differences along rows and columns (one-sided at the borders)."""
    gv, gu = np.zeros_like(a), np.zeros_like(a)
    if a.shape[0] > 2:
        gv[1:-1] = a[2:] - a[:-2]
        gv[0], gv[-1] = gv[1], gv[-2]
    if a.shape[1] > 2:
        gu[:, 1:-1] = a[:, 2:] - a[:, :-2]
        gu[:, 0], gu[:, -1] = gu[:, 1], gu[:, -2]
    return gv, gu


def _normals(surf, c, s, sdf, idx):
    """World-oriented unit normals: the shape's own, rotated, with a bevel at the outline
    (its direction from the distance field's gradient over the whole box)."""
    lnx, lny, nz = surf.normal
    nx, ny = c * lnx - s * lny, s * lnx + c * lny
    if surf.bevel > 0:
        gv, gu = _gradient(sdf)
        gv, gu = gv.ravel()[idx], gu.ravel()[idx]
        w = clamp(sdf.ravel()[idx] * (1.0 / surf.bevel) + 1.0) * 1.4  # 1.4 at the edge
        w /= np.maximum(np.sqrt(gu * gu + gv * gv), 1e-6)
        nx = nx + w * gu
        ny = ny - w * gv
    elif surf.unit:
        return nx, ny, nz
    inv = 1.0 / np.sqrt(nx * nx + ny * ny + nz * nz)
    return nx * inv, ny * inv, nz * inv


def _light_level(obj, nx, ny, nz, surf, lx, ly, light: Light) -> np.ndarray:
    """Light level per pixel (1 = the palette colour as is)."""
    diffuse_w = MATERIALS[obj.material][0]
    d = light.direction
    level = np.maximum(nx * d[0] + ny * d[1] + nz * d[2], 0.0)
    level *= np.float32(light.direct * diffuse_w)
    level += np.float32(light.ambient)
    if light.lamp > 0.005:
        ld = light.lamp_direction
        facing = np.maximum(nx * ld[0] + ny * ld[1] + nz * ld[2], 0.0)
        level += (0.55 + 0.45 * facing) * np.float32(light.lamp)
    if not isinstance(surf.mark, float):
        level *= surf.mark
    if obj.material == "wood":
        level *= 0.93 + 0.07 * np.sin(ly * 17.0 + 1.7 * np.sin(lx * 3.1 + 0.5))
    elif obj.material == "metal":  # sky above, ground below, seen in the surface
        level *= 0.9 + 0.25 * ny
    return level.astype(np.float32, copy=False)


def draw_shadow(
    frame: np.ndarray,
    view: View,
    x: float,
    bottom: float,
    radius: float,
    look: Look,
    lamp: float,
    lamp_side: float,
    cache: StampCache,
) -> None:
    """A soft dark ellipse on the ground under an object whose lowest point is `bottom`
    metres up: smaller, softer and fainter the higher the object; cast away from the sun
    by day, away from the nearest lamp at night."""
    h = max(bottom, 0.0)
    sun = min(sum(look.light) / 3 / 0.65, 1.0)  # 1 at noon, ~0.37 by moonlight
    day = max(1.0 - look.lamps, 0.0)
    strength = 0.6 * (day * sun + look.lamps * min(lamp, 1.0))
    if strength < 0.02:
        return
    dx, dy = look.light_dir[0], max(look.light_dir[1], 0.2)
    offset = min(max(-(dx / dy) * h * day - 0.6 * h * lamp_side * look.lamps, -1.5), 1.5)
    spread = 1.0 + 0.6 * h
    rx = radius * (1.15 - 0.5 * min(h / 2.0, 1.0)) * spread * view.ppm + 0.5  # pixels
    ry = 0.11 * spread * view.ppm + 0.5
    alpha = strength / (1.0 + 0.9 * h)
    u, v = (snap(float(c)) for c in view.to_pixel(x + offset, -0.035))
    top = float(view.to_pixel(0.0, 0.0)[1])  # the horizon row: shadows lie on the ground
    u0, v0 = max(math.floor(u - rx - 1), 0), max(math.floor(max(v - ry - 1, top - 1)), 0)
    u1 = min(math.ceil(u + rx + 1), view.width)
    v1 = min(math.ceil(v + ry + 1), view.height)
    if u1 <= u0 or v1 <= v0:
        return
    key = ("shadow", u - u0, v - v0, top - v0, u1 - u0, v1 - v0, rx, ry, alpha)
    stamp = cache.get(
        key, lambda: _shadow_stamp(u - u0, v - v0, top - v0, u1 - u0, v1 - v0, rx, ry, alpha)
    )
    stamp.apply(frame, u0, v0)


def _shadow_stamp(u, v, top, w, h, rx, ry, alpha) -> Stamp:
    """A soft blob, the product of two bell-shaped profiles (cheap and round enough)."""
    eu = (np.arange(w, dtype=np.float32) + (0.5 - u)) * (1.0 / rx)
    ev = (np.arange(h, dtype=np.float32) + (0.5 - v)) * (1.0 / ry)
    pu = np.maximum(1.0 - eu * eu, 0.0)
    pv = np.maximum(1.0 - ev * ev, 0.0)
    ground = clamp(np.arange(h, dtype=np.float32) + (1.0 - top))  # only below the horizon
    a = np.multiply.outer(pv * pv * ground * np.float32(alpha), pu * pu)
    return Stamp((1.0 - a)[..., None], None)
