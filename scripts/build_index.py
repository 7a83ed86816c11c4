#!/usr/bin/env python3
"""Build the FAISS index from knowledge/*.yaml (same as `rolle build`).

Usage: python scripts/build_index.py [--force] [--quiet]
"""

from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
