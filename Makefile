# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install locales lint format extract bench clean

demo: install locales
	$(BIN)/liaison demo

test: install locales
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

locales: install
	$(BIN)/pybabel compile -d locales -D messages --statistics

# Refresh the template and merge new msgids into both catalogues (translate them afterwards).
extract: install
	$(BIN)/pybabel extract -F babel.cfg -k __ -k N_ -k T -k Step -k Label -o locales/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete --width 0

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark runs, and the target failed is reported, whichever one it was.
bench: install locales
	status=0; for name in updates minimums delivery reports assessment outcomes wechat; do \
		$(BIN)/python bench/$$name.py || status=1; \
	done; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
