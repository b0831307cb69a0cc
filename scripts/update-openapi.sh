#!/usr/bin/env bash
# Writes docs/api/openapi.json from the document the portal serves at /openapi/v1.json: the contract test's portal
# (a throwaway PostgreSQL database, a loopback port) fetches it and writes it pretty, in the portal's stable order.
# Run it after changing an endpoint; the unit test ServedOpenApiDocumentMatchesTheCommittedContract fails until then.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
ensure_dotnet
dotnet build tests/Unit/Platform.Tests.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
PLATFORM_UPDATE_OPENAPI=1 dotnet test tests/Unit/Platform.Tests.csproj -c Release --no-build --nologo -v quiet \
  --filter "FullyQualifiedName~OpenApiContractTests.ServedOpenApiDocumentMatchesTheCommittedContract"
echo "wrote docs/api/openapi.json"
