#!/usr/bin/env bash
# The main job against the local sandbox, on a fresh machine: install, seed the sandbox with
# existing LuxSci and LianaMailer accounts (examples/existing-account.yaml), then plan, apply
# and drift-check the declared state of both (examples/accounts.yaml). State lives in
# .mailform/; run it again any time.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! .venv/bin/python -c 'import mailform.sandbox.server' 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[sandbox]'
fi
mailform=.venv/bin/mailform
export BOB_PASSWORD="${BOB_PASSWORD:-Demo-Passw0rd-1}"   # the one new user's password

rm -f .mailform/sandbox.json .mailform/sandbox.sqlite3 .mailform/sandbox.sqlite3-wal .mailform/sandbox.sqlite3-shm
"$mailform" sandbox seed examples/existing-account.yaml --state .mailform/sandbox.sqlite3 >/dev/null  # (its export lines are for a `sandbox serve`)

step() { printf '\n\033[1m$ mailform %s\033[0m\n' "$*"; set +e; "$mailform" "$@"; code=$?; set -e; echo "(exit $code)"; }
step plan examples/accounts.yaml --sandbox
step apply examples/accounts.yaml --sandbox --yes
step plan examples/accounts.yaml --sandbox
step drift examples/accounts.yaml --sandbox                      # exit 2: unmanaged objects
step drift examples/accounts.yaml --sandbox --ignore-unmanaged   # exit 0: declared state holds
