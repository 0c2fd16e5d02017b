#!/usr/bin/env python3
"""Writes sphere_field.json: a field of small random spheres around three large ones
(glass, diffuse, metal) on a checker ground, under a sky with a sun. The layout of
"Ray Tracing in One Weekend"'s final scene, with emissive spheres added.

The JSON is committed; run this again only to change the scene:
    python3 app/scenes/make_sphere_field.py [--out app/scenes/sphere_field.json]
A fixed random seed makes the output the same on every run.
"""
import argparse
import json
import pathlib
import random


def rounded(values, digits=3):
    return [round(value, digits) for value in values]


def small_sphere_material(generator):
    choice = generator.random()
    if choice < 0.65:
        color = [generator.random() * generator.random() for _ in range(3)]
        return {"type": "diffuse", "albedo": rounded(color)}
    if choice < 0.85:
        color = [0.5 + 0.5 * generator.random() for _ in range(3)]
        return {"type": "metal", "albedo": rounded(color), "roughness": round(0.5 * generator.random(), 3)}
    if choice < 0.95:
        return {"type": "dielectric", "refractive_index": 1.5}
    color = [0.3 + 0.7 * generator.random() for _ in range(3)]
    return {"type": "emissive", "radiance": rounded([4.0 * c for c in color])}


def build(seed=7):
    generator = random.Random(seed)
    large_centers = [(0.0, 1.0, 0.0), (-4.0, 1.0, 0.0), (4.0, 1.0, 0.0)]
    objects = [
        {"type": "quad", "corner": [-40, 0, -40], "edge_u": [0, 0, 80], "edge_v": [80, 0, 0], "material": "ground"},
        {"type": "sphere", "center": list(large_centers[0]), "radius": 1.0, "material": "glass"},
        {"type": "sphere", "center": list(large_centers[1]), "radius": 1.0, "material": "clay"},
        {"type": "sphere", "center": list(large_centers[2]), "radius": 1.0, "material": "mirror"},
    ]
    for a in range(-8, 8):
        for b in range(-8, 8):
            center = (a + 0.9 * generator.random(), 0.2, b + 0.9 * generator.random())
            if any(sum((c - l) ** 2 for c, l in zip(center, large)) < 1.2 ** 2 for large in large_centers):
                continue
            objects.append({"type": "sphere", "center": rounded(center), "radius": 0.2,
                            "material": small_sphere_material(generator)})
    return {
        "description": "Small random spheres of every material around three large ones, on a checker ground. "
                       "Written by app/scenes/make_sphere_field.py.",
        "camera": {"position": [13, 2, 3], "target": [0, 0.4, 0], "vertical_fov_degrees": 22,
                   "aperture": 0.1, "focus_distance": 10},
        "sky": {"zenith": [0.35, 0.55, 0.95], "horizon": [0.95, 0.95, 1.0], "ground": [0.4, 0.35, 0.3],
                "sun": {"direction": [0.5, 0.6, 0.3], "radiance": [12, 11, 9], "angular_radius_degrees": 6}},
        "materials": {
            "ground": {"type": "diffuse",
                       "albedo": {"type": "checker", "even": [0.85, 0.85, 0.8], "odd": [0.2, 0.3, 0.1], "cell_size": 1}},
            "glass": {"type": "dielectric", "refractive_index": 1.5},
            "clay": {"type": "diffuse", "albedo": [0.4, 0.2, 0.1]},
            "mirror": {"type": "metal", "albedo": [0.7, 0.6, 0.5], "roughness": 0.0},
        },
        "objects": objects,
    }


def format_scene(scene):
    """One top-level field, material or object a line: readable, and small diffs."""
    lines = []
    for key, value in scene.items():
        if key == "materials":
            entries = [f"    {json.dumps(name)}: {json.dumps(material)}" for name, material in value.items()]
            lines.append(f'  "materials": {{\n' + ",\n".join(entries) + "\n  }")
        elif key == "objects":
            lines.append('  "objects": [\n' + ",\n".join("    " + json.dumps(item) for item in value) + "\n  ]")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(pathlib.Path(__file__).with_name("sphere_field.json")))
    arguments = parser.parse_args()
    scene = build()
    text = format_scene(scene)
    json.loads(text)  # the hand-joined text must still be valid JSON
    pathlib.Path(arguments.out).write_text(text)
    print(f"wrote {arguments.out}: {len(scene['objects'])} objects")


if __name__ == "__main__":
    main()
