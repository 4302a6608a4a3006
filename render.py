#!/usr/bin/env python3
"""Render the nanochat explainer: `uv run render.py --help`."""

import sys

from explainer.cli import main

if __name__ == "__main__":
    sys.exit(main())
