#!/usr/bin/env bash
# Starts the portal with everything it needs on this machine. See README.md.
#   PORTAL_URLS                 where the portal listens (default http://127.0.0.1:5080)
#   PORTAL_DATA_DIR             where its data lives (default ./.data)
#   PORTAL_POSTGRES_PORT        the embedded PostgreSQL's port on 127.0.0.1 (default 55432)
#   ConnectionStrings__Platform an existing PostgreSQL instead of the embedded one
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
. scripts/common.sh

ensure_dotnet
[ -n "${ConnectionStrings__Platform:-}" ] || ensure_postgres_server
ensure_packages git python3
if is_root; then
  ensure_sandbox_packages
elif [ "${Runtime__Isolation:-}" != "None" ]; then
  say "Not root: applications cannot be sandboxed, so deployments of applications will be refused. Run sudo ./run.sh, or set Runtime__Isolation=None to run them without a sandbox (only code you trust)."
fi

export PORTAL_DATA_DIR="${PORTAL_DATA_DIR:-$root/.data}"
mkdir -p "$PORTAL_DATA_DIR"
PORTAL_DATA_DIR=$(cd "$PORTAL_DATA_DIR" && pwd)

# As root, the embedded PostgreSQL runs as the postgres user and applications as users of their own: they must be
# able to pass through every folder down to the data folder (a checkout under /root, mode 700, is not).
others_can_traverse() {
  local dir=$1
  while [ -n "$dir" ] && [ "$dir" != "/" ]; do
    case "$(stat -c %A "$dir")" in
      *x|*t) ;;
      *) return 1 ;;
    esac
    dir=$(dirname "$dir")
  done
}
if is_root && ! others_can_traverse "$PORTAL_DATA_DIR"; then
  fail "the data folder $PORTAL_DATA_DIR is inside a folder other users cannot enter; as root the portal runs PostgreSQL and applications as other users. Set PORTAL_DATA_DIR to a folder such as /srv/platform, or clone the repository there."
fi
urls="${PORTAL_URLS:-http://127.0.0.1:5080}"

# The demo user's credentials: made once, kept with the data, printed at every start.
credentials="$PORTAL_DATA_DIR/demo-credentials"
if [ ! -f "$credentials" ]; then
  (umask 077 && printf 'demo@platform.local\n%s\n' "demo-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')" > "$credentials")
fi
demo_email=$(sed -n 1p "$credentials")
demo_password=$(sed -n 2p "$credentials")

# The sample application's git source: a bare repository made from samples/hello-python, with a new commit
# whenever the sample changed since, so Deploy in the demo environment always builds what is in the checkout.
sample_repository="$PORTAL_DATA_DIR/samples/hello-python.git"
work=$(mktemp -d)
git_as_platform() { git -C "$work" -c user.name=Platform -c user.email=platform@localhost "$@"; }
if [ -d "$sample_repository" ]; then
  git clone -q "$sample_repository" "$work"
  find "$work" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
  cp -r samples/hello-python/. "$work"
  git -C "$work" add -A
  if ! git -C "$work" diff --cached --quiet; then
    git_as_platform commit -q -m "Sample application updated"
    git -C "$work" push -q origin HEAD:main
  fi
else
  cp -r samples/hello-python/. "$work"
  git -C "$work" init -q -b main
  git -C "$work" add -A
  git_as_platform commit -q -m "Sample application"
  mkdir -p "$(dirname "$sample_repository")"
  git clone -q --bare "$work" "$sample_repository"
fi
rm -rf "$work"

say "Building the portal"
build="$PORTAL_DATA_DIR/build"
dotnet publish src/Portal/Portal.csproj -c Release -o "$build" --nologo -v quiet -clp:ErrorsOnly

first_url=${urls%%;*}
cat <<BANNER

  Platform portal   ${first_url}
  Demo sign-in      ${demo_email} / ${demo_password}
  API reference     ${first_url}/reference
  Data folder       ${PORTAL_DATA_DIR}

  Ctrl-C stops the portal and the PostgreSQL it started.

BANNER

cd "$build"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Production}"
export Demo__Email="$demo_email" Demo__Password="$demo_password" Demo__SampleRepository="$sample_repository"
exec dotnet Portal.dll --urls "$urls"
