#!/usr/bin/env bash
# System packages some tests need, installed from the distribution (Debian/Ubuntu apt) when missing.
# Idempotent: a package whose command is already on PATH is left alone. Never fails the build: when it cannot
# install (not root, no apt-get, no network) it says why and exits 0, and the tests that need the command skip
# with a reason.
#
# Add a system dependency by appending "<command>:<apt package>:<what needs it>" to PACKAGES.
set -u

PACKAGES=(
  "redis-server:redis-server:Redis actors tests (packages/pipelines/src/redisActors.test.ts)"
  "chromium:chromium:the headless browser test of the web page (apps/web/test/browser.test.ts)"
)

missing=()
for entry in "${PACKAGES[@]}"; do
  IFS=: read -r command package purpose <<<"$entry"
  if command -v "$command" >/dev/null 2>&1; then
    echo "system-deps: $command found ($(command -v "$command")), nothing to do ($purpose)"
  else
    missing+=("$package")
    echo "system-deps: $command not found; needs apt package $package ($purpose)"
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: not running as root; not installing ${missing[*]} (tests that need them will skip)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: no apt-get on this system; not installing ${missing[*]} (tests that need them will skip)"
  exit 0
fi

echo "system-deps: apt-get install -y --no-install-recommends ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
  echo "system-deps: install failed; running apt-get update and trying once more"
  if ! { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; }; then
    echo "system-deps: could not install ${missing[*]} (tests that need them will skip)"
    exit 0
  fi
fi
echo "system-deps: installed ${missing[*]}"
exit 0
