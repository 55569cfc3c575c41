#!/usr/bin/env bash
# Starts Chromium for the tests and benches with every --disable-features list merged into one.
# Chromium reads only the last --disable-features switch, and Playwright passes its own list: a
# second list from browser.ts would silently undo Playwright's. The real browser comes as
# --ctd-chromium=<path> (taken out here). Test-only.
set -euo pipefail
real=''
features=''
args=()
for arg in "$@"; do
  case "$arg" in
    --ctd-chromium=*) real="${arg#--ctd-chromium=}" ;;
    --disable-features=*) features="${features:+$features,}${arg#--disable-features=}" ;;
    *) args+=("$arg") ;;
  esac
done
if [ -z "$real" ]; then
  echo 'chromium-launcher.sh: --ctd-chromium=<path> is missing' >&2
  exit 2
fi
if [ -n "$features" ]; then args+=("--disable-features=$features"); fi
exec "$real" "${args[@]}"
