import random
import re

import pytest

from reelforge.world import vocabulary as V
from reelforge.world.captions import rich_caption, short_prompts
from reelforge.world.facts import STANDARD_ASPECT, STANDARD_DURATION, scene_facts
from reelforge.world.palette import COLOR_NAMES
from reelforge.world.physics import simulate
from reelforge.world.sampler import sample_scene
from reelforge.world.scene import (
    CAMERA_MOVES,
    GROUNDS,
    MATERIALS,
    MOTION_DIRECTIONS,
    OCCLUDER_KINDS,
    SHAPES,
    SIZES,
    TIMES_OF_DAY,
    WEATHERS,
    Camera,
    Lighting,
    Motion,
    Occluder,
    Scene,
    SceneObject,
)

# ---------------------------------------------------------------------------
# Scenes
# ---------------------------------------------------------------------------


def odd_scene(rng: random.Random, seed: int) -> Scene:
    """Scenes the sampler does not make: speed 0, extreme heights, twins, far off screen."""
    objects = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(list(MOTION_DIRECTIONS))
        motion = Motion(
            kind=kind,
            direction=rng.choice(MOTION_DIRECTIONS[kind]),
            speed=rng.choice([0.0, 0.2, 1.0, 2.5, 6.0]),
            height=rng.choice([None, 0.0, 0.5, 2.0, 4.5]),
            radius=rng.choice([0.3, 1.0]),
        )
        look = objects[-1] if objects and rng.random() < 0.3 else None
        objects.append(
            SceneObject(
                shape=look.shape if look else rng.choice(SHAPES),
                color=look.color if look else rng.choice(COLOR_NAMES),
                size=look.size if look else rng.choice(SIZES),
                material=look.material if look else rng.choice(MATERIALS),
                x=rng.choice([-0.7, -0.3, 0.0, 0.3, 0.7]),
                motion=motion,
            )
        )
    move = rng.choice(CAMERA_MOVES)
    occluder = None
    if rng.random() < 0.4:
        occluder = Occluder(
            kind=rng.choice(OCCLUDER_KINDS),
            x=rng.choice([-1.0, -0.5, 0.0, 0.6]),
            speed=rng.choice([-2.0, 0.0, 1.0]),
        )
    return Scene(
        seed=seed,
        ground=rng.choice(GROUNDS),
        lighting=Lighting(start=rng.choice(TIMES_OF_DAY), end=rng.choice([None, *TIMES_OF_DAY])),
        weather=rng.choice(WEATHERS),
        camera=Camera(
            move=move,
            speed=rng.choice([0.0, 0.3, 1.5]),
            target=rng.randrange(len(objects)),
        ),
        objects=tuple(objects),
        occluder=occluder,
    )


SCENES = [sample_scene(s) for s in range(120)] + [odd_scene(random.Random(s), s) for s in range(80)]

# ---------------------------------------------------------------------------
# Truth: what may be said of a scene, from the spec and its physics
# ---------------------------------------------------------------------------


def truths(scene: Scene) -> set[tuple[str, str]]:
    """Every (category, value) that is true of the scene somewhere in its 4 s."""
    sim = simulate(scene, STANDARD_DURATION, STANDARD_ASPECT)
    true = {("time", scene.lighting.start), ("ground", scene.ground), ("weather", scene.weather)}
    if scene.lighting.end:
        true |= {("time", scene.lighting.end), ("event", "light_change")}
    for i, o in enumerate(scene.objects):
        m = o.motion
        true |= {("shape", o.shape), ("color", o.color), ("size", o.size)}
        true |= {("material", o.material), ("motion", m.kind), ("direction", m.direction)}
        lands = any(h.kind == "ground" and h.a == i for h in sim.impacts)
        if m.speed <= 0.05 or (m.kind in ("bounce", "fall") and not lands):
            true |= {("motion", "stay"), ("motion", "roll"), ("direction", "none")}
        for kind in ("bounce", "roll", "fly", "rise", "orbit"):
            if V.speed_word(kind, m.speed):
                true.add(("speed", V.speed_word(kind, m.speed)))
        if m.height is not None and V.height_word(m.height):
            true.add(("height", V.height_word(m.height)))
        if m.height is None and m.kind == "fall":
            true.add(("height", "high"))
        if m.kind == "bounce":
            true.add(("event", "settle"))
    if any(h.kind == "collision" for h in sim.impacts):
        events = ("hit", "rebound", "push", "twice", "repeatedly")
        true |= {("event", e) for e in events} | {("direction", d) for d in ("left", "right")}
    cam = scene.camera
    true.add(("camera", cam.move if cam.speed > 0.02 else "static"))
    if cam.move == "tracking":
        true |= {("camera", "static"), ("camera", "pan_left"), ("camera", "pan_right")}
    for kind in ("pan", "tilt", "zoom"):
        if V.speed_word(kind, cam.speed):
            true.add(("speed", V.speed_word(kind, cam.speed)))
    if scene.occluder:
        occ = scene.occluder
        true.add(("occluder", occ.kind))
        if abs(occ.speed) > 0.05:
            true |= {
                ("event", "pass_in_front"),
                ("direction", "right" if occ.speed > 0 else "left"),
            }
        else:
            true.add(("event", "stand_in_front"))
    start, end = scene.lighting.start, scene.lighting.end or scene.lighting.start
    if start != "night" and end == "night":
        true |= {("event", "lamps_on"), ("event", "darken")}
    if start == "night" and end != "night":
        true |= {("event", "lamps_off"), ("event", "brighten")}
    if start == end == "night":
        true.add(("event", "lamps_lit"))
    true |= {("event", "enter"), ("event", "leave")}  # what the frame shows: see facts tests
    return true


def check_words(text: str, scene: Scene, true: set) -> None:
    """Every word of `text` is filler or part of a known phrase that is true."""
    assert text and "none" not in text.lower() and "{" not in text and "_" not in text
    words = V.normalise(text).split()
    covered = set()
    for term in V.find_terms(text):
        covered |= set(range(term.start, term.end))
        assert any(m in true for m in term.meanings), (term, text, scene)
    unknown = [w for k, w in enumerate(words) if k not in covered and w not in V.FILLER_WORDS]
    assert not unknown, (unknown, text)


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

EXAMPLE = Scene(
    seed=7,
    ground="grass",
    lighting=Lighting(start="sunset", end="night"),
    weather="rain",
    camera=Camera(move="pan_left", speed=0.3),
    objects=(
        SceneObject(
            shape="ball",
            color="red",
            size="large",
            motion=Motion(kind="bounce", direction="right", speed=0.8),
            x=-0.3,
        ),
        SceneObject(shape="cube", color="blue", size="small", material="wood", x=0.15),
    ),
    occluder=Occluder(kind="pillar", x=-0.6, speed=1.2),
)


def test_example_caption_reads_in_the_fixed_order():
    caption = rich_caption(EXAMPLE)
    assert caption.startswith(
        "Sunset turning to night over a grassy field in the rain. "
        "A large red rubber ball bounces to the right. "
        "A small blue wooden cube rests on the ground. "
        "The red ball hits the blue cube"
    )
    assert caption.endswith(
        "A stone pillar passes in front from left to right. The camera slowly pans to the "
        "left. Street lamps switch on as it gets dark."
    )


@pytest.mark.parametrize("index", range(0, len(SCENES), 7))
def test_caption_mentions_every_visible_object_and_the_setting(index):
    scene = SCENES[index]
    facts = scene_facts(scene)
    caption = rich_caption(scene)
    said = {m for t in V.find_terms(caption) for m in t.meanings}
    for o in facts.objects:
        assert {("color", o.color), ("shape", o.shape), ("motion", o.motion)} <= said
        if o.direction != "none":
            assert ("direction", o.direction) in said
    assert {("ground", scene.ground), ("time", scene.lighting.start)} <= said
    assert ("camera", facts.camera) in said
    assert caption.count(". ") + 1 == caption.count(".")  # whole sentences
    assert all(s[0].isupper() for s in caption.split(". "))


def test_objects_never_on_screen_are_not_mentioned():
    far = SceneObject(
        color="green", shape="star", x=0.7, motion=Motion(kind="fly", direction="right", speed=3.0)
    )
    scene = Scene(objects=(SceneObject(), far))
    assert [o.index for o in scene_facts(scene).objects] == [0]
    assert "star" not in rich_caption(scene)
    assert all("star" not in p for p in short_prompts(scene, count=6))


def test_physics_decides_what_is_seen():
    still_roll = Scene(
        objects=(SceneObject(motion=Motion(kind="roll", direction="left", speed=0.0)),)
    )
    assert "rests on the ground" in rich_caption(still_roll)
    hover = Scene(
        objects=(SceneObject(motion=Motion(kind="fly", direction="left", speed=0.0, height=2.0)),)
    )
    assert "hovers in the air" in rich_caption(hover)
    frozen = Scene(camera=Camera(move="pan_left", speed=0.0))
    assert "The camera holds still." in rich_caption(frozen)
    metal = Scene(objects=(SceneObject(material="metal", motion=Motion(kind="bounce")),))
    assert "bounces in place and then comes to rest" in rich_caption(metal)


def test_twins_get_told_apart():
    twin = SceneObject(shape="cube", color="red", x=-0.3)
    scene = Scene(objects=(twin, twin.model_copy(update={"x": 0.3})))
    caption = rich_caption(scene)
    assert "A medium-sized red rubber cube rests" in caption
    assert "Another medium-sized red rubber cube rests" in caption


def test_captions_and_prompts_state_only_true_facts():
    for scene in SCENES:
        true = truths(scene)
        caption = rich_caption(scene)
        check_words(caption, scene, true)
        prompts = short_prompts(scene, count=4, seed=scene.seed)
        assert len(prompts) == 4 and len(set(prompts)) == 4
        for p in prompts:
            assert len(p) < len(caption), (p, caption)
            check_words(p, scene, true)


def test_prompts_are_deterministic_per_seed_and_vary_with_it():
    assert short_prompts(EXAMPLE, seed=3) == short_prompts(EXAMPLE, seed=3)
    assert short_prompts(EXAMPLE, seed=3) != short_prompts(EXAMPLE, seed=4)
    assert rich_caption(EXAMPLE) == rich_caption(EXAMPLE)


def test_prompts_vary_their_wording():
    prompts = [p for s in range(12) for p in short_prompts(EXAMPLE, count=4, seed=s)]
    text = " ".join(prompts).lower()
    assert re.search(r"\b(sphere|orb)\b", text) and re.search(r"\bball\b", text)
    assert re.search(r"\b(hop|hops|hopping)\b", text)
    assert re.search(r"\b(dusk|golden hour)\b", text)
    assert any(p[0].islower() for p in prompts) and any(p[0].isupper() for p in prompts)
    assert any("blue" not in p for p in prompts)  # the minor object is sometimes left out
    leads = {p.split()[0].lower() for p in prompts}
    assert len(leads) >= 4  # the word order varies


def test_prompts_of_a_scene_with_nothing_on_screen():
    far = SceneObject(x=0.7, motion=Motion(kind="fly", direction="right", speed=3.0))
    prompts = short_prompts(Scene(objects=(far,)), count=5)
    assert len(set(prompts)) == 5
    caption = rich_caption(Scene(objects=(far,)))
    assert caption == "Noon over a grassy field. The camera holds still."
    many = short_prompts(Scene(objects=(far,)), count=300)
    assert len(set(many)) == len(many) > 20


def test_vocabulary_inverts():
    assert V.canonical("shape", "spheres") == "ball"
    assert V.canonical("time", "golden hour") == "sunset"
    assert V.canonical("time", "midnight") == "night"
    assert V.canonical("direction", "left-to-right") == "right"
    assert V.canonical("camera", "zooms in") == "push_in"
    assert V.canonical("camera", "tracking shot") == "tracking"
    assert V.canonical("camera", "follows") == "tracking"
    assert V.canonical("motion", "stays still") == "stay"
    assert V.canonical("motion", "floating up") == "rise"

    def meanings(text):
        return [m for t in V.find_terms(text) for m in t.meanings]

    assert meanings("a ball on a snowy field") == [("shape", "ball"), ("ground", "snow")]
    assert meanings("a snowy evening") == [("weather", "snow"), ("time", "sunset")]
    assert meanings("golden hour, a golden ball") == [
        ("time", "sunset"),
        ("color", "yellow"),
        ("shape", "ball"),
    ]
    assert ("weather", "snow") in meanings("as snow falls")
    assert ("motion", "fall") not in meanings("as snow falls")
    assert meanings("in the dark") == [("time", "night")]
    assert meanings("a dark blue cube") == [("color", "blue"), ("shape", "cube")]
    assert meanings("the camera pans to the left") == [("camera", "pan_left")]


def test_a_bounce_that_rolls_on_does_not_come_to_rest():
    rolls_on = Motion(kind="bounce", direction="right", speed=0.4, height=1.0)
    scene = Scene(objects=(SceneObject(material="metal", x=-0.3, motion=rolls_on),))
    assert scene_facts(scene).objects[0].settles is False
    assert "rest" not in rich_caption(scene)


def test_synonyms_table_for_the_prompt_parser():
    assert set(V.GROUND_STAY) | set(V.AIRBORNE_STAY) == set(V.MOTIONS["stay"])
    for category in ("color", "shape", "motion", "direction", "camera", "time", "ground"):
        assert category in V.SYNONYMS
    assert "bouncing" in V.SYNONYMS["motion"]["bounce"]
    assert "boxes" in V.SYNONYMS["shape"]["cube"]
    for category, entries in V.SYNONYMS.items():
        for value, phrases in entries.items():
            assert phrases, (category, value)
            for phrase in phrases:
                assert phrase == V.normalise(phrase)
