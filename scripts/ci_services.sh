#!/usr/bin/env bash
# Install the system services the store/web/e2e tests need (Debian): chromium (Playwright e2e,
# never `playwright install`) and postgresql (store tests). Idempotent; installs only what is missing.
# Exports nothing: start PostgreSQL with scripts/start_test_pg.sh, which prints the URL.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "ci_services: installing ${need[*]}" >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2
else
  echo "ci_services: chromium and postgresql already installed" >&2
fi
