# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Synthetic street scenes for the built-in demo data.

A scene is painted into a *part* map: a label finer than every demo taxonomy
(asphalt vs. cobble road, curb vs. pavement, tree vs. bush, markings on each
road surface, building tops, ...). Look-up tables turn the part map into the
label of each taxonomy, so the hidden fine ground truth of an extra dataset is
consistent with its coarse ground truth by construction.

Everything is vectorised numpy over a pixel grid; one 128×256 scene takes a
few milliseconds. The drawing is driven only by the ``numpy.random.Generator``
it is given, so a seed fixes a scene bit for bit.
"""
from dataclasses import dataclass
from typing import Dict, Tuple

import numpy as np

# Parts, in no particular order. Each maps to one class of every taxonomy.
PARTS = ('asphalt', 'cobble', 'marking_asphalt', 'marking_cobble', 'curb',
         'pavement', 'building', 'building_top', 'wall', 'tree', 'bush', 'sky',
         'car', 'truck', 'bus', 'person', 'pole', 'sign')
P = {name: i for i, name in enumerate(PARTS)}

# Part -> class name in each demo taxonomy.
PART_TO_CLASS: Dict[str, Dict[str, str]] = {
    'demo_urban': {
        'asphalt': 'road', 'cobble': 'road', 'marking_asphalt': 'lane_marking',
        'marking_cobble': 'lane_marking', 'curb': 'sidewalk',
        'pavement': 'sidewalk', 'building': 'building',
        'building_top': 'building', 'wall': 'wall', 'tree': 'vegetation',
        'bush': 'vegetation', 'sky': 'sky', 'car': 'car', 'truck': 'truck',
        'bus': 'bus', 'person': 'person', 'pole': 'pole', 'sign': 'pole'},
    'demo_coarse': {
        'asphalt': 'road', 'cobble': 'road', 'marking_asphalt': 'road',
        'marking_cobble': 'road', 'curb': 'sidewalk', 'pavement': 'sidewalk',
        'building': 'construction', 'building_top': 'unlabeled',
        'wall': 'construction', 'tree': 'vegetation', 'bush': 'vegetation',
        'sky': 'unlabeled', 'car': 'vehicle', 'truck': 'vehicle',
        'bus': 'vehicle', 'person': 'person', 'pole': 'pole', 'sign': 'pole'},
    'demo_split': {
        'asphalt': 'asphalt', 'cobble': 'cobble',
        'marking_asphalt': 'road_marking', 'marking_cobble': 'cobble',
        'curb': 'curb', 'pavement': 'pavement', 'building': 'building',
        'building_top': 'building', 'wall': 'building', 'tree': 'tree',
        'bush': 'bush', 'sky': 'sky', 'car': 'car', 'truck': 'car',
        'bus': 'car', 'person': 'pedestrian', 'pole': 'pole',
        'sign': 'traffic_sign'},
}


@dataclass(frozen=True)
class SceneStyle:
    """What a dataset's scenes contain; extra datasets differ from the source.

    Args:
        walls (bool): Whether low walls stand in front of buildings.
        buses (bool): Whether buses drive on the road.
        cobble_prob (float): Probability that the road is cobblestone.
        vehicles (tuple[int, int]): Range of the number of vehicles.
        trees (tuple[int, int]): Range of the number of trees.
        persons (tuple[int, int]): Range of the number of persons.
        brightness (tuple[float, float]): Range of the global light factor.
        building_top_frac (float): Image rows above this fraction of the
            height count as "building top" (left void by ``demo_coarse``).
    """
    walls: bool = True
    buses: bool = True
    cobble_prob: float = 0.3
    vehicles: Tuple[int, int] = (1, 5)
    trees: Tuple[int, int] = (1, 4)
    persons: Tuple[int, int] = (0, 4)
    brightness: Tuple[float, float] = (0.6, 1.3)
    building_top_frac: float = 0.22


class _Canvas:
    """An RGB float image and its part map, painted in place."""

    def __init__(self, height: int, width: int, rng: np.random.Generator):
        self.h, self.w, self.rng = height, width, rng
        self.yy, self.xx = np.mgrid[0:height, 0:width].astype(np.float32)
        self.img = np.zeros((height, width, 3), np.float32)
        self.part = np.full((height, width), P['sky'], np.uint8)
        # One noise field per scene, reused as leaf texture.
        self.noise = rng.normal(0.0, 1.0, (height, width)).astype(np.float32)

    def paint(self, mask: np.ndarray, part: str, color, noise: float = 8.0,
              texture: np.ndarray = None) -> None:
        """Fill ``mask`` with a noisy colour (plus a texture) and a part id."""
        n = int(mask.sum())
        if n == 0:
            return
        col = np.asarray(color, np.float32)
        pix = col + self.rng.normal(0.0, noise, (n, 3)).astype(np.float32)
        if texture is not None:
            pix += texture[mask][:, None]
        self.img[mask] = pix
        self.part[mask] = P[part]

    def rect(self, x0, y0, x1, y1) -> np.ndarray:
        """Boolean mask of an axis-aligned rectangle."""
        return ((self.xx >= x0) & (self.xx < x1) & (self.yy >= y0)
                & (self.yy < y1))

    def ellipse(self, cx, cy, rx, ry) -> np.ndarray:
        """Boolean mask of an axis-aligned ellipse."""
        return ((self.xx - cx) / max(rx, 0.5))**2 + (
            (self.yy - cy) / max(ry, 0.5))**2 <= 1.0


def _grey(rng, lo, hi, tint=12.0):
    """A random greyish colour with a small tint."""
    base = rng.uniform(lo, hi)
    return base + rng.uniform(-tint, tint, 3)


def _draw_sky(c: _Canvas, horizon: float) -> None:
    """Sky gradient: clear blue or overcast grey (close to building colours)."""
    rng = c.rng
    top = np.array([70, 120, 200]) if rng.random() < 0.6 else _grey(
        rng, 150, 200, 6)
    bottom = top + rng.uniform(30, 60)
    t = np.clip(c.yy / max(horizon, 1.0), 0, 1)[..., None]
    c.img[:] = (1 - t) * top + t * bottom
    c.img += rng.normal(0, 4, c.img.shape).astype(np.float32)


def _draw_buildings(c: _Canvas, horizon: float, style: SceneStyle) -> None:
    """Facades with window grids along the horizon, walls in front of some."""
    rng = c.rng
    x = rng.uniform(-20, 0)
    while x < c.w:
        bw = rng.uniform(0.12, 0.35) * c.w
        top = rng.uniform(0.02, 0.7) * horizon
        mask = c.rect(x, top, x + bw, horizon + 2)
        win = ((c.xx - x) % rng.uniform(6, 12) < 3) & (
            (c.yy - top) % rng.uniform(7, 13) < 4)
        texture = np.where(win, -rng.uniform(25, 60), 0).astype(np.float32)
        c.paint(mask, 'building', _grey(rng, 60, 190, 25), 6, texture)
        x += bw + rng.uniform(-5, 8)
    top_rows = c.yy < style.building_top_frac * c.h
    c.part[(c.part == P['building']) & top_rows] = P['building_top']
    if style.walls:
        for _ in range(rng.integers(0, 3)):
            x0 = rng.uniform(0, c.w)
            wh = rng.uniform(0.05, 0.12) * c.h
            mask = c.rect(x0, horizon - wh, x0 + rng.uniform(20, 80), horizon + 3)
            bricks = (((c.yy // 3) % 2) * 8 - 4).astype(np.float32)
            c.paint(mask, 'wall', _grey(rng, 90, 170, 20), 5, bricks)


def _draw_ground(c: _Canvas, horizon: float, style: SceneStyle) -> np.ndarray:
    """Road (asphalt or cobble), curbs, pavements and lane markings.

    Returns:
        np.ndarray: Boolean mask of the road surface.
    """
    rng = c.rng
    vx = c.w * rng.uniform(0.35, 0.65)
    below = c.yy > horizon
    depth = np.clip((c.yy - horizon) / (c.h - horizon), 0, 1)
    half = (0.02 + rng.uniform(0.45, 0.6) * depth) * c.w
    road = below & (np.abs(c.xx - vx) < half)
    curb = below & ~road & (np.abs(c.xx - vx) < half * 1.08 + 1)
    pave = below & ~road & ~curb
    c.paint(pave, 'pavement', _grey(rng, 120, 190, 15), 10,
            ((c.xx + c.yy * 2) % 9 < 1) * -20.0)
    c.paint(curb, 'curb', _grey(rng, 150, 210, 5), 6)
    cobble = rng.random() < style.cobble_prob
    if cobble:
        tex = (((c.xx // 4 + c.yy // 3) % 2) * 18.0 - 9.0).astype(np.float32)
        c.paint(road, 'cobble', _grey(rng, 80, 130, 15), 10, tex)
    else:
        c.paint(road, 'asphalt', _grey(rng, 55, 115, 8), 9)
    u = (c.xx - vx) / np.maximum(half, 1e-3)
    dashes = (np.maximum(c.yy - horizon, 0) ** 0.7 % rng.uniform(4, 7)) < 2.2
    lanes = road & dashes & (np.abs(np.abs(u) - 0.5) < 0.03 + 0.02 * depth)
    centre = road & (np.abs(u) < 0.025 + 0.015 * depth)
    marking = (lanes | centre) & (c.yy > horizon + 2)
    c.paint(marking, 'marking_cobble' if cobble else 'marking_asphalt',
            [235, 235, 225] if rng.random() < 0.7 else [230, 200, 60], 12)
    return road


def _draw_trees(c: _Canvas, horizon: float, style: SceneStyle) -> None:
    """Trees (trunk + leafy crown) and low bushes beside the road."""
    rng = c.rng
    for _ in range(rng.integers(*style.trees)):
        cx = rng.uniform(0, c.w)
        base = horizon + rng.uniform(0, 0.15) * c.h
        size = rng.uniform(0.08, 0.22) * c.h
        leaves = np.roll(c.noise, int(cx), axis=1) * 22.0
        trunk = c.rect(cx - size * 0.08, base - size, cx + size * 0.08, base)
        c.paint(trunk, 'tree', [70, 55, 40], 8)
        crown = c.ellipse(cx, base - size * 1.3, size * 0.8, size * 0.7)
        c.paint(crown, 'tree', [50 + rng.uniform(0, 40), 100, 40], 10, leaves)
    for _ in range(rng.integers(0, 3)):
        cx, cy = rng.uniform(0, c.w), horizon + rng.uniform(2, 14)
        bush = c.ellipse(cx, cy, rng.uniform(8, 25), rng.uniform(3, 7))
        c.paint(bush, 'bush', [80, 130 + rng.uniform(-20, 20), 60], 14,
                np.roll(c.noise, int(cy), axis=0) * 15.0)


def _draw_vehicle(c: _Canvas, kind: str, x: float, ground: float,
                  scale: float) -> None:
    """A car, truck or bus standing on ``ground`` with windows and wheels."""
    rng = c.rng
    length, height = {'car': (1.0, 0.45), 'truck': (1.3, 0.9),
                      'bus': (2.2, 0.85)}[kind]
    w, h = length * scale, height * scale
    body = c.rect(x, ground - h, x + w, ground - 0.12 * scale)
    colour = rng.uniform(20, 230, 3) if rng.random() < 0.7 else _grey(
        rng, 50, 120, 5)
    c.paint(body, kind, colour, 7)
    if kind == 'car':
        cabin = c.rect(x + 0.2 * w, ground - h - 0.25 * scale, x + 0.8 * w,
                       ground - h + 1)
        c.paint(cabin, kind, [40, 50, 60], 6)
    elif kind == 'bus':
        win = c.rect(x + 0.05 * w, ground - 0.8 * h, x + 0.95 * w,
                     ground - 0.55 * h) & ((c.xx - x) % (0.15 * scale) > 2)
        c.paint(win, kind, [40, 50, 70], 5)
    for wx in (x + 0.2 * w, x + 0.8 * w):
        wheel = c.ellipse(wx, ground - 0.1 * scale, 0.12 * scale, 0.12 * scale)
        c.paint(wheel, kind, [20, 20, 20], 4)


def _draw_traffic(c: _Canvas, horizon: float, road: np.ndarray,
                  style: SceneStyle) -> None:
    """Vehicles on the road, persons on pavements, poles with signs.

    Objects are sorted far-to-near so nearer ones occlude farther ones, and
    scaled with their distance to the horizon (perspective).
    """
    rng = c.rng
    kinds = ['car', 'car', 'truck'] + (['bus'] if style.buses else [])
    objects = []
    for _ in range(rng.integers(*style.vehicles)):
        objects.append(('vehicle', rng.uniform(horizon + 4, c.h + 10)))
    for _ in range(rng.integers(*style.persons)):
        objects.append(('person', rng.uniform(horizon + 2, c.h)))
    for _ in range(rng.integers(0, 3)):
        objects.append(('pole', rng.uniform(horizon + 2, c.h * 0.9)))
    for kind, ground in sorted(objects, key=lambda o: o[1]):
        scale = 4 + 0.9 * (ground - horizon)
        if kind == 'vehicle':
            row = road[min(int(ground), c.h - 1)]
            xs = np.flatnonzero(row)
            x = rng.choice(xs) - 0.5 * scale if xs.size else rng.uniform(0, c.w)
            _draw_vehicle(c, str(rng.choice(kinds)), x, ground, scale)
        elif kind == 'person':
            x = rng.uniform(0, c.w)
            body = c.ellipse(x, ground - 0.45 * scale, 0.12 * scale, 0.4 * scale)
            head = c.ellipse(x, ground - 0.95 * scale, 0.09 * scale, 0.1 * scale)
            c.paint(body, 'person', rng.uniform(20, 220, 3), 12)
            c.paint(head, 'person', [200, 160, 130], 10)
        else:
            x = rng.uniform(0, c.w)
            height = 1.8 * scale
            pole = c.rect(x, ground - height, x + max(1.0, 0.05 * scale), ground)
            c.paint(pole, 'pole', _grey(rng, 90, 160, 5), 5)
            if rng.random() < 0.6:
                sign = c.ellipse(x, ground - height, 0.15 * scale, 0.15 * scale)
                c.paint(sign, 'sign', [200, 40, 40] if rng.random() < 0.5
                        else [40, 80, 200], 10)


def _light(c: _Canvas, style: SceneStyle) -> np.ndarray:
    """Global lighting, a colour cast, a soft shadow, sensor noise and blur."""
    rng = c.rng
    img = c.img * rng.uniform(*style.brightness)
    img += rng.uniform(-15, 15, 3)
    if rng.random() < 0.5:
        edge = rng.uniform(0, c.w)
        shadow = 1 / (1 + np.exp(-(c.xx - edge - 0.3 * c.yy) / 6.0))
        img *= (0.6 + 0.4 * shadow)[..., None]
    img += rng.normal(0, 6, img.shape)
    img = (img + np.roll(img, 1, 0) + np.roll(img, 1, 1)) / 3.0
    return np.clip(img, 0, 255).astype(np.uint8)


def render_scene(rng: np.random.Generator, height: int, width: int,
                 style: SceneStyle) -> Tuple[np.ndarray, np.ndarray]:
    """Paint one street scene.

    Args:
        rng (np.random.Generator): The only source of randomness.
        height (int): Image height in pixels.
        width (int): Image width in pixels.
        style (SceneStyle): What the scene may contain.

    Returns:
        tuple[np.ndarray, np.ndarray]: The RGB image (H, W, 3, uint8) and
        the part map (H, W, uint8) with indices into :data:`PARTS`.
    """
    c = _Canvas(height, width, rng)
    horizon = height * rng.uniform(0.35, 0.5)
    _draw_sky(c, horizon)
    _draw_buildings(c, horizon, style)
    road = _draw_ground(c, horizon, style)
    _draw_trees(c, horizon, style)
    _draw_traffic(c, horizon, road, style)
    return _light(c, style), c.part
