# Jiaozheng: `make run` serves the demo, `make test` runs `make lint` and then the whole suite. Both install
# what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint bench faults system-deps install messages clean

system-deps:
	@scripts/system-deps.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: system-deps $(STAMP)

run: install
	$(BIN)/jiaozheng migrate --noinput -v0
	$(BIN)/jiaozheng load_demo --if-empty
	$(BIN)/jiaozheng serve

test: install
	scripts/test.sh

lint: install
	scripts/lint.sh

messages: install
	cd jiaozheng && for app in */; do \
	  if [ -f "$$app/apps.py" ]; then (cd $$app && mkdir -p locale && ../../$(BIN)/jiaozheng makemessages -l zh_Hans --no-obsolete -v0 -i "tests/*"); fi; done
	$(BIN)/jiaozheng compilemessages --ignore=.venv -v0

bench: install
	scripts/services.sh
	$(BIN)/python scripts/bench.py

faults: install
	scripts/services.sh
	$(BIN)/python scripts/faults.py

clean:
	rm -rf $(VENV) var artifacts
