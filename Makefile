# NVR Desktop: `make run` sets everything up and opens the app; `make test` sets everything up and runs all checks.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
LOCK := installer/requirements.lock

.PHONY: run test check pytest bench screenshots lock package edge-wheel clean

$(VENV)/bin/python:
	installer/system-deps.sh run
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] in ((3, 11), (3, 12)), "NVR Desktop needs Python 3.11 or 3.12"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip==26.3"

$(VENV)/.run-deps: $(VENV)/bin/python pyproject.toml $(LOCK)
	$(PY) -m pip install -q -c $(LOCK) -e .
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps
	$(PY) -m pip install -q -c $(LOCK) -e ".[test]"
	touch $@

run: $(VENV)/.run-deps
	$(PY) main.py $(ARGS)

test: $(VENV)/.test-deps
	installer/system-deps.sh test
	$(MAKE) --no-print-directory check pytest

check:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

pytest:
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.test-deps
	installer/system-deps.sh test
	@for b in bench/*.py; do echo "== $$b"; QT_QPA_PLATFORM=offscreen $(PY) $$b || exit 1; done

# The user guide's pictures in docs/images/: real widgets rendered offscreen over the RTSP test server (~1 min).
screenshots: $(VENV)/.test-deps
	installer/system-deps.sh test
	QT_QPA_PLATFORM=offscreen $(PY) docs/screenshots.py $(ARGS)

$(VENV)/.package-deps: $(VENV)/.run-deps
	$(PY) -m pip install -q -c $(LOCK) -e ".[package]"
	touch $@

# The Linux release (Debian/Ubuntu x86_64): dist/nvr-desktop/, its tarball and the .deb (~1 min).
package: $(VENV)/.package-deps
	installer/system-deps.sh package
	installer/build.sh

# The edge agent's own wheel for a Raspberry Pi (edge/pyproject.toml, a few seconds):
# dist/nvr_edge_agent-VERSION-py3-none-any.whl, for edge/install.sh. setuptools builds in the source folder: the
# copy it leaves in edge/build would go into the next wheel, even modules deleted since, so it goes before and after.
edge-wheel: $(VENV)/bin/python
	rm -rf edge/build edge/nvr_edge_agent.egg-info
	$(PY) -m pip wheel -q --no-deps -w dist ./edge
	rm -rf edge/build edge/nvr_edge_agent.egg-info

# Re-pin every transitive dependency after changing pyproject.toml.
lock: $(VENV)/.test-deps
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e' > $(LOCK)

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
