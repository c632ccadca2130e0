"""A real `mkdocs serve` in a subprocess, and what it serves compared with a clean build.

Used by tests/test_serve.py and benchmarks/bench_serve.py.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BOOK_ITEMS = ("mkdocs.yml", "manuscript", "knowledge", "research", "docs")
_SITE_DIR = re.compile(r"Building '[^']+' documentation to directory: (\S+?)(?:/[a-z]{2})?\s*$", re.M)
_LIVERELOAD = re.compile(r'<script>\s*var livereload = function.*?</script>\s*', re.S)
_BUILD_DATE = re.compile(r"Build Date UTC : [^\n]*")  # the mkdocs theme's


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env(plugins: Path | None = None) -> dict[str, str]:
    out = dict(os.environ)
    out["NO_MKDOCS_2_WARNING"] = "1"
    out.pop("CI", None)
    if plugins is not None:
        out["PYTHONPATH"] = str(plugins)
    return out


class Server:
    """`mkdocs serve` of the book in ROOT, its log in ROOT/../serve-<port>.log."""

    def __init__(self, root: Path, *, extra: tuple[str, ...] = ()) -> None:
        self.root = root
        self.port = free_port()
        self.log_path = root.parent / f"serve-{self.port}.log"
        self._log = self.log_path.open("w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-f", str(root / "mkdocs.yml"),
             "-a", f"127.0.0.1:{self.port}", *extra],
            cwd=root, stdout=self._log, stderr=subprocess.STDOUT, env=env())
        self.base = ""

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def builds(self) -> int:
        """How many rebuilds have ended. (Not by "Documentation built in": static-i18n's log
        filter, on while it builds the other languages, sometimes hides that line.)"""
        return self.log().count("Reloading browsers")

    def wait_ready(self, timeout: float = 300) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            match = re.search(r"Serving on (http://\S+)", self.log())
            if match:
                self.base = match.group(1).rstrip("/") + "/"
                return
            if self.proc.poll() is not None:
                raise AssertionError("mkdocs serve stopped:\n" + self.log()[-3000:])
            time.sleep(0.1)
        raise AssertionError("mkdocs serve did not start:\n" + self.log()[-3000:])

    def wait_rebuild(self, before: int, timeout: float = 300) -> None:
        """Until a build after the BEFORE-th has ended and the browsers were told to reload."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            text = self.log()
            if text.count("Reloading browsers") > before:
                return
            if self.proc.poll() is not None:
                raise AssertionError("mkdocs serve stopped:\n" + text[-3000:])
            time.sleep(0.05)
        raise AssertionError("no rebuild:\n" + self.log()[-3000:])

    def site_dir(self) -> Path:
        found = _SITE_DIR.findall(self.log())
        assert found, self.log()[-2000:]
        return Path(found[0])

    def get(self, path: str) -> bytes | None:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as response:
                return bytes(response.read())
        except urllib.error.HTTPError:
            return None
        except (TimeoutError, urllib.error.URLError):
            return None  # the server holds a request for a page while it rebuilds: not yet

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def replace_in(root: Path, rel: str, old: str, new: str) -> None:
    """An author's edit: the first OLD in ROOT/REL made NEW (which must be there)."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append_to(root: Path, rel: str, text: str) -> None:
    with (root / rel).open("a", encoding="utf-8") as fh:
        fh.write(text)


def copy_book(source: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for item in BOOK_ITEMS:
        if (source / item).is_dir():
            shutil.copytree(source / item, dest / item)
        elif (source / item).exists():
            shutil.copy(source / item, dest / item)
    return dest


def clean_build(root: Path, out: Path) -> Path:
    """A `mkdocs build` of a copy of ROOT's book (its own staging folder and cache): the site."""
    if out.exists():
        shutil.rmtree(out)
    copy = copy_book(root, out / "book")
    site = out / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(copy / "mkdocs.yml"),
                           "-d", str(site)], cwd=copy, capture_output=True, text=True, timeout=600, env=env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return site


def normalize(data: bytes, serve_url: str, site_url: str) -> str:
    """What may differ between a served page and a built one: the livereload script, the site URL."""
    text = data.decode("utf-8", errors="replace")
    text = _BUILD_DATE.sub("", _LIVERELOAD.sub("", text))
    return text.replace(serve_url, site_url)


def differences(server: Server, site: Path, site_url: str) -> list[str]:
    """Every file of the clean build SITE, fetched from SERVER and compared (HTML and the search
    indexes as text); and every file the server's folder holds that the clean build does not."""
    problems: list[str] = []
    wanted = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    served_dir = server.site_dir()
    served = {p.relative_to(served_dir).as_posix() for p in served_dir.rglob("*") if p.is_file()}
    for extra in sorted(served - wanted):
        problems.append(f"served but not built: {extra}")
    for rel in sorted(wanted):
        if not rel.endswith((".html", ".json")) or rel == "sitemap.xml":
            continue
        got = server.get(rel)
        if got is None:
            problems.append(f"not served: {rel}")
            continue
        expected = normalize((site / rel).read_bytes(), server.base, site_url)
        actual = normalize(got, server.base, site_url)
        if expected != actual:
            problems.append(f"differs: {rel}: {first_difference(expected, actual)}")
    return problems


def first_difference(a: str, b: str) -> str:
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"built …{a[max(0, i - 80):i + 80]!r}… served …{b[max(0, i - 80):i + 80]!r}…"
