"""Record layouts: whether a save changed the layout of a type the running program has.

Why it exists: a patch's code reads and writes the program's objects (the scene, the frame
loop, everything on the heap). If a save adds a member to a struct, the new code would read
the old objects with the new layout: garbage, or a crash, long after the "applied". Such a
save is sent to a hot restart instead, with the type named and both layouts in the message.

clang prints the layout of every record type a source uses with -fdump-record-layouts-simple:

    Type: struct raytracer::Texture

    Layout: <ASTRecordLayout
      Size:256
      DataSize:256
      Alignment:32
      FieldOffsets: [0, 32, 128, 224]>

(sizes and offsets in bits). The program's build keeps them beside each object
(program_compiler.sh, OBJECT.layouts); a patch's compile prints them too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FLAGS = ["-Xclang", "-fdump-record-layouts-simple"]
SUFFIX = ".layouts"

# clang 19 also prints `BaseOffsets: [...]>` and `VBaseOffsets: [...]>` before the fields;
# the fields' offsets and the size say whether the layout changed.
_BLOCK = re.compile(r"^Type: (?P<type>.*)\n\nLayout: <ASTRecordLayout\n  Size:(?P<size>\d+)\n  DataSize:\d+\n"
                    r"  Alignment:(?P<align>\d+)\n(?:  V?BaseOffsets: \[[^\]]*\]>\n)*"
                    r"  FieldOffsets: \[(?P<offsets>[^\]]*)\]>", re.MULTILINE)
# Types named after where they are written (lambdas, unnamed structs) move when lines do.
_LOCAL_TYPE = re.compile(r"\((?:lambda|anonymous|unnamed)[^)]*\bat\b")


@dataclass(frozen=True)
class Layout:
    size: int          # bytes
    alignment: int     # bytes
    offsets: tuple[int, ...]  # of its fields, in bytes (a bit-field's bits are kept as .N)

    def describe(self) -> str:
        return f"{self.size} bytes, aligned to {self.alignment}, fields at {list(self.offsets)}"


def _bytes(bits: int) -> int | float:
    return bits // 8 if bits % 8 == 0 else bits / 8


def summaries(text: str) -> str:
    """Only the one-block-per-type summaries of clang's output (what OBJECT.layouts keeps)."""
    return "".join(match.group(0) + "\n\n" for match in _BLOCK.finditer(text))


def parse(text: str) -> dict[str, Layout]:
    layouts: dict[str, Layout] = {}
    for match in _BLOCK.finditer(text):
        name = re.sub(r"^(?:struct|class|union) ", "", match["type"].strip())
        if _LOCAL_TYPE.search(name):
            continue
        offsets = tuple(_bytes(int(value)) for value in match["offsets"].split(",") if value.strip())
        layouts[name] = Layout(_bytes(int(match["size"])), _bytes(int(match["align"])), offsets)
    return layouts


def of_object(object_file: Path) -> dict[str, Layout] | None:
    """The program's layouts for one of its objects, or None when its build kept none."""
    path = object_file.with_name(object_file.name + SUFFIX)
    return parse(path.read_text()) if path.exists() else None


def changes(program: dict[str, Layout], patch: dict[str, Layout]) -> list[str]:
    """One sentence per type both know whose layout differs."""
    found = []
    for name in sorted(program.keys() & patch.keys()):
        before, after = program[name], patch[name]
        if before == after:
            continue
        if after.size != before.size:
            verb = f"grew from {before.size} to {after.size} bytes" if after.size > before.size else \
                f"shrank from {before.size} to {after.size} bytes"
        else:
            verb = "changed its layout"
        found.append(f"{name} {verb} (in the running program: {before.describe()}; now: {after.describe()})")
    return found
