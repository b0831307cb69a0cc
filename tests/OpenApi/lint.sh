#!/usr/bin/env bash
# Lints docs/api/openapi.json with .spectral.yaml (Spectral's OpenAPI rules and the OWASP API Security ruleset).
# Installs the pinned packages first (npm ci). Prints every error and the warning count; fails on any error.
set -uo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error >/dev/null || { echo "npm ci in tests/OpenApi failed" >&2; exit 2; }
report=$(mktemp)
trap 'rm -f "$report"' EXIT
npx --no-install spectral lint ../../docs/api/openapi.json --ruleset .spectral.yaml --format json --quiet --output "$report" >/dev/null 2>&1
node -e '
const results = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8") || "[]");
const errors = results.filter(r => r.severity === 0), warnings = results.filter(r => r.severity === 1);
for (const e of errors) console.log(`error ${e.code}: ${e.message} at ${e.path.join(".")}`);
console.log(`OpenAPI lint: ${errors.length} errors, ${warnings.length} warnings`);
process.exit(errors.length > 0 ? 1 : 0);
' "$report"
