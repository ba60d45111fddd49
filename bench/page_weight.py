"""Page weight: bytes and requests of the campaign builder and the dashboard pages as a signed-in
staff member's browser loads them from gunicorn with production settings: the HTML, then every
same-origin script, style sheet, image and icon it names, the `url()`s of those style sheets, and
the htmx partials it loads on arrival (`hx-trigger="load"`). Bytes are as transferred (WhiteNoise
serves the Brotli or gzip file when the browser accepts it)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bench.env import bench_database, django_setup, figure, redis_check, say

CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.partials: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "script" and a.get("src"):
            self.assets.append(a["src"])
        elif tag == "link" and a.get("href") and set(a.get("rel", "").split()) & {
                "stylesheet", "icon", "preload", "modulepreload", "apple-touch-icon"}:
            self.assets.append(a["href"])
        elif tag in {"img", "source"} and a.get("src"):
            self.assets.append(a["src"])
        if a.get("hx-get") and "load" in a.get("hx-trigger", ""):
            self.partials.append(a["hx-get"])


def _accept_encoding() -> str:
    try:
        import brotli  # noqa: F401  (httpx decodes br only with it)
    except ImportError:
        return "gzip"
    return "br, gzip"


def page_weight(http, base: str, path: str) -> dict:
    """{'requests', 'bytes', 'html_bytes', 'by_type': {ext: bytes}} of one page load."""
    page = http.get(base + path)
    page.raise_for_status()
    parser = _Assets()
    parser.feed(page.text)
    total, requests, by_type = page.num_bytes_downloaded, 1, {"html": page.num_bytes_downloaded}
    seen: set[str] = set()
    queue = [(urljoin(base + path, u), "asset") for u in parser.assets]
    queue += [(urljoin(base + path, u), "partial") for u in parser.partials]
    while queue:
        url, kind = queue.pop(0)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != base or url in seen:
            continue  # another origin (Meta's previews) or already loaded
        seen.add(url)
        headers = {"HX-Request": "true"} if kind == "partial" else {}
        response = http.get(url, headers=headers)
        requests += 1
        total += response.num_bytes_downloaded
        ext = "partial" if kind == "partial" else (parts.path.rsplit(".", 1)[-1] or "other")
        by_type[ext] = by_type.get(ext, 0) + response.num_bytes_downloaded
        if parts.path.endswith(".css"):
            queue += [(urljoin(url, u), "asset") for u in CSS_URL.findall(response.text)
                      if not u.startswith("data:")]
    return {"requests": requests, "bytes": total, "by_type": by_type}


def run(*, size: int) -> None:
    from bench.server import SECRET_KEY

    redis_check()
    with bench_database() as url:
        django_setup(database_url=url, settings={"SECRET_KEY": SECRET_KEY})
        _run(ads=size, database_url=url)


def _run(*, ads: int, database_url: str) -> None:
    import httpx

    from bench.scenario import reports_world
    from bench.server import gunicorn, session_cookie

    quick = ads < 100
    days = 90 if not quick else 30
    say(f"storing {days} days of rows for {ads} ads")
    world = reports_world(ads=ads, days=days, database_url=database_url)
    pages = {"builder": world.builder, "account dashboard": world.pages["account dashboard"],
             "campaign dashboard": world.pages["campaign dashboard"],
             "reports home": world.pages["reports home"]}
    with gunicorn(database_url=database_url, quick_static=quick, workers=1) as base:
        cookie = session_cookie(world.owner.user)
        with httpx.Client(headers={"Cookie": cookie, "Accept-Encoding": _accept_encoding()},
                          timeout=30) as http:
            for name, path in pages.items():
                weight = page_weight(http, base, path)
                kinds = ", ".join(f"{k} {v / 1024:.1f} KiB" for k, v in
                                  sorted(weight["by_type"].items(), key=lambda i: -i[1]))
                figure(name, f"{weight['bytes'] / 1024:.1f} KiB in {weight['requests']} "
                             f"requests ({kinds})")
    figure("encoding", "as transferred, Accept-Encoding: " + _accept_encoding()
           + ("; tiny run: static files not compressed" if quick else "")
           + f"; {ads} ads, {days} days of rows")
