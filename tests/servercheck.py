"""Ask the real nginx and Apache (Debian packages ``nginx`` and ``apache2``, which install.sh
installs) whether they accept the generated redirect maps.

Neither test is ever skipped: a missing binary is a failure that says how to install it.
Each check writes a minimal server configuration of its own into a temporary folder (no
``/etc`` file, no environment variable, no running server): nginx ``-t -c <wrapper> -p <dir>``
with the map ``include``d in ``http {}``, and ``apache2 -t -f <wrapper> -d <dir>`` with
``mod_alias`` loaded and the ``.htaccess`` ``Include``d in a ``<Directory>`` block (where a
real ``.htaccess`` applies, as ``AllowOverride FileInfo`` would).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

APACHE_MODULES = Path("/usr/lib/apache2/modules")


def _binary(name: str, package: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    assert found, (f"{name} is missing: install.sh installs it as root "
                   f"(apt-get install {package})")
    return found


def nginx_check(map_file: Path, work: Path) -> subprocess.CompletedProcess:
    """``nginx -t`` on a configuration that includes ``map_file`` in ``http {}`` and uses its
    variable the way the generated file says (``return 301 $overblog_target``)."""
    work.mkdir(parents=True, exist_ok=True)
    wrapper = work / "nginx-test.conf"
    wrapper.write_text(
        f"pid {work / 'nginx.pid'};\n"
        f"error_log {work / 'error.log'};\n"
        "events {}\n"
        "http {\n"
        "    access_log off;\n"
        f"    client_body_temp_path {work / 'body'};\n"
        f"    include {map_file};\n"
        "    server {\n"
        "        listen 127.0.0.1:18080;\n"
        "        if ($overblog_target) { return 301 $overblog_target; }\n"
        "    }\n"
        "}\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [_binary("nginx", "nginx"), "-t", "-q", "-c", str(wrapper), "-p", str(work),
         "-e", str(work / "error.log")],
        capture_output=True, text=True, timeout=60,
    )


def apache_check(htaccess: Path, work: Path) -> subprocess.CompletedProcess:
    """``apache2 -t`` on a configuration that includes ``htaccess`` in a ``<Directory>``."""
    work.mkdir(parents=True, exist_ok=True)
    assert (APACHE_MODULES / "mod_alias.so").is_file(), (
        "Apache modules are missing: install.sh installs them as root (apt-get install apache2)")
    wrapper = work / "apache-test.conf"
    wrapper.write_text(
        f"ServerRoot {work}\n"
        "ServerName localhost\n"
        f"LoadModule mpm_event_module {APACHE_MODULES / 'mod_mpm_event.so'}\n"
        f"LoadModule alias_module {APACHE_MODULES / 'mod_alias.so'}\n"
        f"PidFile {work / 'apache.pid'}\n"
        f"ErrorLog {work / 'error.log'}\n"
        "Listen 127.0.0.1:18081\n"
        f"DocumentRoot {work}\n"
        f"<Directory {work}>\n"
        f"    Include {htaccess}\n"
        "</Directory>\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [_binary("apache2", "apache2"), "-t", "-f", str(wrapper), "-d", str(work)],
        capture_output=True, text=True, timeout=60,
    )
