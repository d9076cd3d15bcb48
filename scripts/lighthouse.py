"""Lighthouse scores of the home and an event page, served as in production.

Run it with `make lighthouse`. It builds a throw-away SQLite database with the
demo data, collects the static files (WhiteNoise serves them compressed, with
far-future caching, as in production), starts gunicorn as the Docker image and
the test suite do (gunicorn.conf.py, DEBUG off, 127.0.0.1, a free port), runs
Lighthouse (npm, at a pinned version, through npx) with the system's Chromium,
prints the four category scores of each page, and stops the server. It fails
when a score is under the target.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from events.tests.servers import gunicorn, manage, production_environment  # noqa: E402

CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
SITEMAP_LOC = "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lighthouse-version", required=True)
    parser.add_argument("--chrome-path", default="/usr/bin/chromium")
    parser.add_argument("--preset", choices=["mobile", "desktop"], default="mobile")
    parser.add_argument("--min-score", type=int, default=95)
    parser.add_argument("--reports", type=Path, default=BASE_DIR / "test-artifacts")
    return parser.parse_args()


def sitemap_locations(url):
    """The page addresses of a sitemap, following a sitemap index to its sections."""
    with urllib.request.urlopen(url, timeout=10) as response:
        sitemap = ET.fromstring(response.read())
    for loc in sitemap.iter(SITEMAP_LOC):
        if loc.text.endswith(".xml"):
            yield from sitemap_locations(loc.text)
        else:
            yield loc.text


def an_event_url(base_url):
    """The first event page listed in the sitemap."""
    for location in sitemap_locations(f"{base_url}/sitemap.xml"):
        if "/events/" in location and not location.endswith("/events/past/"):
            return location
    sys.exit("The sitemap lists no event.")


def lighthouse_scores(url, name, args):
    output_path = args.reports / f"lighthouse-{name}"
    command = [
        "npx",
        "--yes",
        f"lighthouse@{args.lighthouse_version}",
        url,
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        "--output=json",
        "--output=html",
        f"--output-path={output_path}",
    ]
    if args.preset == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": args.chrome_path}
    subprocess.run(command, cwd=BASE_DIR, env=env, check=True)
    report = json.loads(output_path.with_suffix(".report.json").read_text())
    return {
        category: round(report["categories"][category]["score"] * 100) for category in CATEGORIES
    }


def main():
    args = parse_args()
    if not Path(args.chrome_path).exists():
        sys.exit(f"Chromium is missing at {args.chrome_path}: apt-get install chromium")
    args.reports.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        environment = production_environment(
            DATABASE_URL=f"sqlite:///{Path(workdir) / 'db.sqlite3'}",
            # No e-mail: the demo sends none.
            EMAIL_URL="",
            LOG_LEVEL="WARNING",
        )
        for command in [("migrate",), ("seed_demo",), ("collectstatic", "--noinput")]:
            manage(*command, "--verbosity=0", environment=environment)
        with gunicorn(environment) as server:
            pages = {"home": f"{server.url}/", "event": an_event_url(server.url)}
            results = {name: lighthouse_scores(url, name, args) for name, url in pages.items()}

    print(f"\nLighthouse {args.lighthouse_version} ({args.preset}), target {args.min_score}:")
    print(f"{'page':<8}" + "".join(f"{category:>16}" for category in CATEGORIES))
    for name, scores in results.items():
        print(f"{name:<8}" + "".join(f"{scores[category]:>16}" for category in CATEGORIES))
    print(f"Reports: {args.reports.relative_to(BASE_DIR)}/lighthouse-*.report.html")
    all_scores = [score for scores in results.values() for score in scores.values()]
    if min(all_scores) < args.min_score:
        sys.exit(f"A score is under {args.min_score}.")


if __name__ == "__main__":
    main()
