#!/usr/bin/env python3
"""Writes torus_knot.obj, the mesh of app/scenes/mesh.json: a (2, 3) torus knot tube.

The OBJ is committed; run this again only to change the mesh:
    python3 app/scenes/make_torus_knot.py [--tubular 320] [--radial 16] [--out app/scenes/torus_knot.obj]
The tube follows three.js's TorusKnotGeometry frame (a point and its successor give the
tangent and a reference normal). Output is deterministic: fixed counts, 5 decimals.
"""
import argparse
import math
import pathlib


def knot_point(angle, p, q, radius):
    """A point on the (p, q) torus knot around the y axis (y is up in our scenes);
    `angle` runs over [0, 2 pi p) to close the curve."""
    twist = q / p * angle
    r = radius * (2.0 + math.cos(twist)) * 0.5
    return (r * math.cos(angle), radius * math.sin(twist) * 0.5, r * math.sin(angle))


def subtract(a, b):
    return tuple(x - y for x, y in zip(a, b))


def add(a, b):
    return tuple(x + y for x, y in zip(a, b))


def cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def normalize(a):
    length = math.sqrt(sum(x * x for x in a))
    return tuple(x / length for x in a)


def build(tubular, radial, p=2, q=3, radius=2.0, tube=0.32):
    positions, normals, faces = [], [], []
    for i in range(tubular):
        angle = i / tubular * 2.0 * math.pi * p
        here = knot_point(angle, p, q, radius)
        ahead = knot_point(angle + 0.01, p, q, radius)
        tangent = subtract(ahead, here)
        binormal = normalize(cross(tangent, add(ahead, here)))
        normal = normalize(cross(binormal, tangent))
        for j in range(radial):
            around = j / radial * 2.0 * math.pi
            cx, cy = -tube * math.cos(around), tube * math.sin(around)
            offset = tuple(cx * n + cy * b for n, b in zip(normal, binormal))
            positions.append(add(here, offset))
            normals.append(normalize(offset))
    for i in range(tubular):
        for j in range(radial):
            a = i * radial + j
            b = ((i + 1) % tubular) * radial + j
            c = ((i + 1) % tubular) * radial + (j + 1) % radial
            d = i * radial + (j + 1) % radial
            faces.append((a, b, c, d))
    return positions, normals, faces


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tubular", type=int, default=320, help="segments along the knot")
    parser.add_argument("--radial", type=int, default=16, help="segments around the tube")
    parser.add_argument("--out", default=str(pathlib.Path(__file__).with_name("torus_knot.obj")))
    arguments = parser.parse_args()

    positions, normals, faces = build(arguments.tubular, arguments.radial)
    lines = [f"# (2, 3) torus knot: {len(positions)} vertices, {2 * len(faces)} triangles",
             "# written by app/scenes/make_torus_knot.py"]
    lines += [f"v {x:.5f} {y:.5f} {z:.5f}" for x, y, z in positions]
    lines += [f"vn {x:.5f} {y:.5f} {z:.5f}" for x, y, z in normals]
    lines += ["f " + " ".join(f"{index + 1}//{index + 1}" for index in face) for face in faces]
    pathlib.Path(arguments.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {arguments.out}: {len(positions)} vertices, {2 * len(faces)} triangles")


if __name__ == "__main__":
    main()
