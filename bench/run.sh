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

# dotnet-gcdump, for the live objects the circuits hold (a heap walk after a full collection), in a folder of its own.
gcdump_version=10.0.750501
if [ ! -x bench/.build/tools/dotnet-gcdump ]; then
  say "Installing dotnet-gcdump $gcdump_version"
  dotnet tool install dotnet-gcdump --version "$gcdump_version" --tool-path bench/.build/tools >/dev/null
fi
export PLATFORM_GCDUMP_TOOL="${PLATFORM_GCDUMP_TOOL:-$PWD/bench/.build/tools/dotnet-gcdump}"

say "Publishing the portal and building the benchmarks"
dotnet publish src/Portal/Portal.csproj -c Release -o bench/.build/portal --nologo -v quiet -clp:ErrorsOnly
dotnet build bench/Benchmarks/Platform.Benchmarks.csproj -c Release --nologo -v quiet -clp:ErrorsOnly

exec dotnet bench/Benchmarks/bin/Release/net10.0/Platform.Benchmarks.dll "$@"
