#!/usr/bin/env bash
# Install overblog-migrator for development in .venv/, with what the tests need.
#
# Python packages go into .venv/ (the project with its [test] extra, Hugo included). The
# tests also build the Markdown export with Jekyll, and re-render the theme corpus
# (tests/fixtures/themes/) with PHP's Twig; both come from Debian: installed here with apt-get
# when we are root and they are missing; otherwise the command to run is printed.
set -euo pipefail
cd "$(dirname "$0")"

need_jekyll() {
    ! command -v jekyll >/dev/null 2>&1 || ! gem list -i jekyll-redirect-from >/dev/null 2>&1
}

if need_jekyll; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Jekyll (Debian packages jekyll, ruby-jekyll-redirect-from)…" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jekyll ruby-jekyll-redirect-from >/dev/null
    else
        echo "Note: the Jekyll build tests need: sudo apt-get install jekyll ruby-jekyll-redirect-from" >&2
    fi
fi

need_php_twig() {
    ! command -v php >/dev/null 2>&1 || [ ! -f /usr/share/php/Twig/autoload.php ] \
        || ! php -r 'exit(class_exists("IntlDateFormatter") ? 0 : 1);' >/dev/null 2>&1
}

if need_php_twig; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing PHP with Twig and intl (Debian packages php-cli, php-twig, php-intl)…" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cli php-twig php-intl >/dev/null
    else
        echo "Note: the theme corpus tests need: sudo apt-get install php-cli php-twig php-intl" >&2
    fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
echo "Installed: .venv/bin/migrator" >&2
