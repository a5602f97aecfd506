#!/bin/sh
# Debian packages the platform needs: CJK fonts (reports, charts, screenshots), poppler (PDF checks),
# Chromium (browser tests), gettext (translations), Pango/HarfBuzz (WeasyPrint PDF), PostgreSQL and Redis
# (the production database and queue, also used by the test suite).
set -e
PACKAGES="fonts-noto-cjk fonts-wqy-microhei fonts-arphic-ukai poppler-utils chromium gettext libpango-1.0-0
libpangoft2-1.0-0 libharfbuzz-subset0 postgresql redis-server wrk"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "Installing Debian packages:$missing"
if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Please install as root: apt-get install$missing" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
