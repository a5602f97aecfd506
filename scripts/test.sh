#!/bin/sh
# The lint gate (scripts/lint.sh), then the whole suite on SQLite and then on PostgreSQL. Extra arguments
# go to pytest.
set -e
cd "$(dirname "$0")/.."
BIN=.venv/bin
scripts/lint.sh
scripts/services.sh
$BIN/jiaozheng compilemessages --ignore=.venv -v0
export JZ_TEST_PG_URL="${JZ_TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/jiaozheng}"
mkdir -p artifacts
# Plain --dist load: the schemathesis items share one node id, which the scope-based modes (loadfile,
# loadgroup) collapse into a single test.
start=$(date +%s)
echo "== suite on SQLite"
DATABASE_URL= $BIN/pytest -n 2 -q --durations=15 "$@"
echo "== suite on PostgreSQL ($JZ_TEST_PG_URL)"
DATABASE_URL="$JZ_TEST_PG_URL" $BIN/pytest -n 2 -q --durations=15 "$@"
echo "== whole suite: $(( $(date +%s) - start )) s"
