#!/usr/bin/env python3
# Why this exists: the command a person runs to open the page:
#   scripts/serve.py --root DIR [--patches DIR] [--host H] [--port P]
# It only finds the devserver package beside it; everything else is in scripts/devserver/.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from devserver.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
