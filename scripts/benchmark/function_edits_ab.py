#!/usr/bin/env python3
"""What compiling only a save's changed functions (hotswap/tools/function_edits.py) saves:
a statement added to one function of each of seven sources, built by a patch builder that
compiles the changed functions only and by one that compiles whole sources, in turns, three
times each, each with its preamble built; prints the median build times and their ratio.
The builder alone (no dev loop, no page): run it on a quiet machine after scripts/build.sh.
With --comment, the save appends a comment to each source instead (no function's code
changes: nothing compiles, where a whole compile used to).

  python3 scripts/benchmark/function_edits_ab.py [--comment]
"""
import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build/wasm"
sys.path.insert(0, str(ROOT / "hotswap" / "tools"))
from patch_builder import PatchBuilder  # noqa: E402
from preambles import include_block  # noqa: E402

# Each source and the function whose body gets the statement (as scripts/benchmark/measures/patching.mjs's OTHER_EDITS).
EDITS = [("app/hot/scatter.cpp", "scatter"), ("app/core/tile_renderer.cpp", "add_samples"), ("app/core/camera.cpp", "Camera::orbit"),
         ("app/web/page_api.cpp", "raytracer_load_scene"), ("app/web/comparison.cpp", "FrameLoop::update_comparison"),
         ("app/core/scene.cpp", "Scene::gather_lights"), ("app/web/frame_loop.cpp", "FrameLoop::start_frame")]
ROUNDS = 3


def with_statement(text: str, function: str, number: int) -> str:
    definition = re.search(rf"^\S.*\b{re.escape(function)}\(", text, re.M)
    body = text.index("{\n", definition.start()) + 2
    return text[:body] + f"  static_cast<void>({number});\n" + text[body:]


def build(builder: PatchBuilder, overlay: Path, relative: str, text: str, version: int) -> float:
    copy = overlay / relative
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(text)
    source = (ROOT / relative).resolve()
    compiled, flags, quotes = builder._overlaid(source, builder.database.entry(source).flags)
    while builder.preambles.flags_for(include_block(compiled.read_text()), flags, quotes, builder._overlay_files(), priority=0) is None:
        time.sleep(0.2)
    time.sleep(0.5)
    result = builder.build([ROOT / relative], version)
    if result.failure:
        raise SystemExit(f"{relative}: {result.failure['message']}")
    return result.build_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comment", action="store_true", help="a comment appended to each source, not a statement")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    builders, overlays = {}, {}
    for name, some_only in (("some", True), ("whole", False)):
        overlays[name] = folder / name / "overlay"
        overlays[name].mkdir(parents=True)
        builders[name] = PatchBuilder(ROOT, BUILD, BUILD / "site/raytracer.wasm", folder / name / "patches",
                                      overlay=overlays[name], compile_changed_functions=some_only)
    version = 0
    try:
        for relative, function in EDITS:
            text = (ROOT / relative).read_text()
            times = {"some": [], "whole": []}
            for round_number in range(ROUNDS):
                version += 1
                for name in ("some", "whole") if round_number % 2 == 0 else ("whole", "some"):
                    saved = f"{text}// comment {version}\n" if arguments.comment else with_statement(text, function, version)
                    times[name].append(build(builders[name], overlays[name], relative, saved, version))
            note = builders["some"].history[-1].get("sources", [{}])[0]
            kept = f"{len(note['compiled'])} of {len(note['compiled']) + note['left_out']}" if "compiled" in note else "all"
            some, whole = statistics.median(times["some"]), statistics.median(times["whole"])
            print(f"{relative:28s} {kept:9s} some {some:6.0f} ms  whole {whole:6.0f} ms  ratio {some / whole:.2f}", flush=True)
    finally:
        for builder in builders.values():
            builder.close()


if __name__ == "__main__":
    main()
