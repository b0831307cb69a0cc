#!/usr/bin/env bash
# Runs every test: unit and bUnit tests, integration tests against a real PostgreSQL (started by the test
# fixture from the installed server binaries), and end-to-end tests in Debian's headless Chromium.
# Installs what is missing first (as root; otherwise it says what to install). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
. scripts/common.sh

ensure_dotnet
ensure_postgres_server
ensure_packages chromium fonts-dejavu-core git ca-certificates python3
# The sandbox every application runs in, and a compiler for the escape tests' hostile libraries.
ensure_sandbox_packages
ensure_packages gcc libc6-dev
# axe-core, which the end-to-end tests load into the pages they check for accessibility (pinned in tests/E2E).
command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm

say "Restoring tools and building"
dotnet tool restore >/dev/null || fail "dotnet tool restore failed"
dotnet build Platform.sln -c Release --nologo -v quiet -clp:ErrorsOnly || fail "the build failed"

say "Installing the end-to-end tests' npm packages"
(cd tests/E2E && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci in tests/E2E failed"

say "Checking the TypeScript types generated from the API document"
(cd tests/Clients/TypeScript && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run --silent check) \
  || fail "the TypeScript client check failed: docs/api/openapi.json and tests/Clients/TypeScript/check.ts disagree"

say "Linting docs/api/openapi.json (Spectral with the OWASP API Security rules)"
lint_failed=0
tests/OpenApi/lint.sh || lint_failed=1

say "Checking that the migrations match the model"
if ! dotnet ef migrations has-pending-model-changes --project src/Portal.Domain --startup-project src/Portal.Domain \
    --configuration Release --no-build >/dev/null 2>&1; then
  fail "the EF Core model has changes without a migration: run dotnet ef migrations add <Name> --project src/Portal.Domain --startup-project src/Portal.Domain"
fi

results="$PWD/TestResults"
rm -rf "$results"
passed=0
failed=0
status=0
for project in tests/Unit/Platform.Tests.csproj tests/E2E/Platform.E2E.csproj; do
  name=$(basename "$project" .csproj)
  say "Testing $name"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$results" || status=1
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
  else
    echo "no results from $name: the test run itself failed" >&2
    failed=$((failed + 1))
  fi
done

# A lint error counts as one failure.
failed=$((failed + lint_failed))
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed"
exit "$status"
