"""What the compiler said, made readable for the patch log: paths relative to the project
root (an edited copy in a test's overlay folder is named as the project file it replaces),
and the warnings of a successful compile as {file, line, column, message}.

Why it exists: a patch compiles without -Werror, so a warning no longer stops it, but it
must still reach the user, in the terminal and on the page, pointing at their file.
"""
from __future__ import annotations

import re
from pathlib import Path

_DIAGNOSTIC = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<column>\d+): warning: (?P<message>.*)$")


class CompilerOutput:
    def __init__(self, project_root: Path, overlay: Path | None = None):
        self.prefixes = [(str(overlay) + "/", "")] if overlay else []
        self.prefixes.append((str(project_root) + "/", ""))

    def relative_paths(self, text: str) -> str:
        for prefix, replacement in self.prefixes:
            text = text.replace(prefix, replacement)
        return text

    def warnings(self, stderr: str) -> list[dict]:
        found = []
        lines = self.relative_paths(stderr).splitlines()
        for index, line in enumerate(lines):
            match = _DIAGNOSTIC.match(line)
            if not match:
                continue
            # The source line and caret clang prints after the diagnostic belong to it.
            context = []
            for following in lines[index + 1:index + 3]:
                if _DIAGNOSTIC.match(following) or following.startswith("In file included from"):
                    break
                context.append(following)
            found.append({"file": match["file"], "line": int(match["line"]), "column": int(match["column"]),
                          "message": match["message"], "context": "\n".join(context)})
        return found
