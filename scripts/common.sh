# Helpers shared by ./run.sh and ./test.sh. Sourced, not run.

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

apt_updated=""
# Installs Debian packages when missing: as root it does it, otherwise it says what to run.
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! is_root; then
    fail "missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}"
  fi
  say "Installing ${missing[*]}"
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The PostgreSQL server binaries (initdb, pg_ctl), unless an external server is configured.
ensure_postgres_server() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    ensure_packages postgresql
  fi
}

ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 || fail "the .NET 10 SDK is required: https://learn.microsoft.com/dotnet/core/install/linux-debian"
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

# What the sandbox of applications needs: bubblewrap, and iproute2 and nftables for its network namespaces.
ensure_sandbox_packages() {
  ensure_packages bubblewrap iproute2 nftables util-linux
}
