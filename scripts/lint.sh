#!/bin/sh
# `make lint`, and the first step of `make test`: style, types, the architecture contracts, migrations.
set -e
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
start=$(date +%s)
echo "== ruff"
$BIN/ruff check jiaozheng scripts conftest.py
echo "== mypy (services and selectors)"
$BIN/mypy jiaozheng/*/services.py jiaozheng/*/selectors.py
echo "== lint-imports (layers, independence, boundary rules: docs/adr/0004-boundaries.md)"
$BIN/lint-imports
echo "== migrations match the models"
DATABASE_URL= $BIN/jiaozheng makemigrations --check --dry-run -v0
echo "== lint: $(( $(date +%s) - start )) s"
