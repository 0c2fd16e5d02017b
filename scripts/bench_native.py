#!/usr/bin/env python3
"""Native benchmark of the raytracer: samples per second for each committed scene with 1 and
2 threads, and the BVH against brute force (every primitive tested) on the mesh scene.

A report, not a test: it writes results/native/bench.json and results/native/bench.md (a
table) and prints the table. Needs the native build (cmake --preset native && cmake --build
--preset native). Typical use, from the repository root:

    python3 scripts/bench_native.py

Each configuration is rendered --repeat times and the fastest run is kept, which filters out
moments when other processes had the CPU.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import shlex
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCENES = ["sphere_field", "cornell_box", "mesh"]
BVH_GOAL = 10.0  # the BVH should make the mesh scene at least this many times faster


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=str(ROOT / "build" / "native"), help="native build folder")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--spp", type=int, default=16, help="samples per pixel for the scene runs")
    parser.add_argument("--brute-force-spp", type=int, default=1,
                        help="samples per pixel for the BVH versus brute force runs (brute force is slow)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts to measure")
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration; the fastest is kept")
    parser.add_argument("--output-dir", default=str(ROOT / "results" / "native"))
    return parser.parse_args()


def cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def render(renderer, scene, width, height, spp, threads, image_path, brute_force, repeat):
    """Runs the renderer `repeat` times; returns the statistics of the fastest run."""
    best = None
    for _ in range(repeat):
        with tempfile.NamedTemporaryFile(suffix=".json") as stats_file:
            command = [str(renderer), "--scene", str(ROOT / "app" / "scenes" / f"{scene}.json"),
                       "--width", str(width), "--height", str(height), "--spp", str(spp),
                       "--threads", str(threads), "--out", str(image_path), "--stats-json", stats_file.name]
            if brute_force:
                command.append("--brute-force")
            completed = subprocess.run(command, capture_output=True, text=True)
            if completed.returncode != 0:
                sys.exit(f"bench_native: {shlex.join(command)} failed:\n{completed.stderr}")
            stats = json.loads(pathlib.Path(stats_file.name).read_text())
        if best is None or stats["samples_per_second"] > best["samples_per_second"]:
            best = stats
    return best


def markdown_report(report):
    lines = ["# Native benchmark", "",
             f"Machine: {report['machine']['cpu']}, {report['machine']['logical_cores']} logical cores. "
             f"Date: {report['date']}.", "",
             "Command:", "", f"    {report['command']}", "",
             f"Image {report['width']}x{report['height']}, {report['spp']} samples per pixel, "
             f"fastest of {report['repeat']} runs. A sample is one camera ray and its whole path.", "",
             "| scene | threads | seconds | samples/s | speed-up over 1 thread |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for row in report["scenes"]:
        lines.append(f"| {row['scene']} | {row['threads']} | {row['seconds']:.3f} | "
                     f"{row['samples_per_second']:,.0f} | {row['speedup_over_one_thread']:.2f}x |")
    comparison = report["bvh_versus_brute_force"]
    lines += ["", f"BVH versus brute force on the mesh scene ({comparison['triangles']} triangles; "
                  f"{comparison['spp']} sample per pixel, {comparison['threads']} threads):", "",
              "| intersection | seconds | samples/s |", "| --- | ---: | ---: |",
              f"| BVH | {comparison['bvh']['seconds']:.3f} | {comparison['bvh']['samples_per_second']:,.0f} |",
              f"| brute force | {comparison['brute_force']['seconds']:.3f} | "
              f"{comparison['brute_force']['samples_per_second']:,.0f} |", "",
              f"Speed-up: **{comparison['speedup']:.0f}x** (goal: at least {BVH_GOAL:.0f}x, "
              f"{'met' if comparison['speedup'] >= BVH_GOAL else 'NOT met'}).", ""]
    return "\n".join(lines)


def main():
    arguments = parse_arguments()
    renderer = pathlib.Path(arguments.build_dir) / "app" / "native" / "render"
    if not renderer.exists():
        sys.exit(f"bench_native: {renderer} is missing; build first: "
                 "cmake --preset native && cmake --build --preset native")
    output_dir = pathlib.Path(arguments.output_dir)
    images_dir = output_dir / "images"
    images_dir.mkdir(parents=True, exist_ok=True)
    command = "python3 scripts/bench_native.py " + shlex.join(sys.argv[1:])

    scene_rows = []
    for scene in SCENES:
        one_thread_rate = None
        for threads in arguments.threads:
            stats = render(renderer, scene, arguments.width, arguments.height, arguments.spp, threads,
                           images_dir / f"{scene}_{threads}_threads.png", False, arguments.repeat)
            if threads == 1:
                one_thread_rate = stats["samples_per_second"]
            stats["speedup_over_one_thread"] = stats["samples_per_second"] / one_thread_rate if one_thread_rate else 1.0
            scene_rows.append(stats)
            print(f"  {scene:13} {threads} threads: {stats['samples_per_second']:>12,.0f} samples/s", file=sys.stderr)

    comparison_threads = max(arguments.threads)
    bvh = render(renderer, "mesh", arguments.width, arguments.height, arguments.brute_force_spp, comparison_threads,
                 images_dir / "mesh_bvh.png", False, arguments.repeat)
    brute_force = render(renderer, "mesh", arguments.width, arguments.height, arguments.brute_force_spp,
                         comparison_threads, images_dir / "mesh_brute_force.png", True, 1)

    report = {
        "command": command.strip(),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"cpu": cpu_model(), "logical_cores": os.cpu_count(), "load_average": os.getloadavg()},
        "width": arguments.width, "height": arguments.height, "spp": arguments.spp, "repeat": arguments.repeat,
        "scenes": scene_rows,
        "bvh_versus_brute_force": {
            "scene": "mesh", "triangles": bvh["triangles"], "spp": arguments.brute_force_spp, "threads": comparison_threads,
            "bvh": bvh, "brute_force": brute_force,
            "speedup": bvh["samples_per_second"] / brute_force["samples_per_second"], "goal": BVH_GOAL,
        },
    }
    (output_dir / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    table = markdown_report(report)
    (output_dir / "bench.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
