# The two commands: `make video` renders the whole video, `make test` runs the tests.
# Both install what is missing first (see setup.sh).
export PATH := $(HOME)/.local/bin:$(PATH)

.PHONY: setup video preview check test test-fast lint

setup:
	@./setup.sh

video: setup
	uv run render.py

preview: setup
	uv run render.py --quality low

check: setup
	uv run render.py check

test: setup
	uv run pytest

# everything but the renders and whole-project dry runs (marked slow): under 2 minutes
test-fast: setup
	uv run pytest -m "not slow"

lint: setup
	uv run ruff check . && uv run ruff format --check .
