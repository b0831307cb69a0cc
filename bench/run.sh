#!/usr/bin/env bash
# The benchmarks in one command: bench/run.sh [--quick] [--only api,paging,live-logs,portal,deploy,jobs].
# Installs what they need (wrk, Chromium, the sandbox), publishes the portal as run.sh does, then runs the benchmark
# program, which starts a fresh PostgreSQL and the portal, seeds data and writes bench/results/<date>.md. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ensure_dotnet
ensure_postgres_server
ensure_packages wrk chromium fonts-dejavu-core git python3 ca-certificates
is_root && ensure_sandbox_packages

say "Publishing the portal and building the benchmarks"
dotnet publish src/Portal/Portal.csproj -c Release -o bench/.build/portal --nologo -v quiet -clp:ErrorsOnly
dotnet build bench/Benchmarks/Platform.Benchmarks.csproj -c Release --nologo -v quiet -clp:ErrorsOnly

exec dotnet bench/Benchmarks/bin/Release/net10.0/Platform.Benchmarks.dll "$@"
