"""The pages link Bootstrap trimmed by PurgeCSS (`make css`, purgecss.config.cjs): the
committed file is what the tool makes of today's templates, and it keeps every
Bootstrap class that a template names."""

import re
import subprocess

from django.conf import settings

from .helpers import skip_or_fail

BOOTSTRAP = settings.BASE_DIR / "static" / "vendor" / "bootstrap-5.3.9"
FULL = BOOTSTRAP / "bootstrap.min.css"
TRIMMED = BOOTSTRAP / "bootstrap.site.min.css"
PURGECSS = settings.BASE_DIR / "node_modules" / ".bin" / "purgecss"
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')


def defines_class(css, name):
    """Whether a selector starts with the class (`.nav-fill .nav-item` styles
    .nav-item only inside .nav-fill)."""
    return re.search(rf"(^|[{{}},])\.{re.escape(name)}(?![\w-])", css) is not None


def template_classes():
    names = set()
    for template in (settings.BASE_DIR / "templates").rglob("*.html"):
        for value in CLASS_ATTRIBUTE.findall(template.read_text(encoding="utf-8")):
            # Template tags inside the attribute ({% if %}, {{ css_class }}) are not classes.
            value = re.sub(r"{[{%].*?[}%]}", " ", value)
            names.update(re.findall(r"[a-z][\w-]*", value))
    return names


def test_every_bootstrap_class_of_the_templates_is_kept():
    full, trimmed = FULL.read_text(encoding="utf-8"), TRIMMED.read_text(encoding="utf-8")
    used = {name for name in template_classes() if defines_class(full, name)}

    assert {"btn", "card", "d-md-flex", "form-control"} <= used
    assert sorted(name for name in used if not defines_class(trimmed, name)) == []
    assert len(trimmed) < len(full) / 3


def test_the_committed_css_is_what_purgecss_makes_of_the_templates(tmp_path):
    if not PURGECSS.exists():
        skip_or_fail("purgecss is not installed (make tools)")
    output = tmp_path / "bootstrap.css"

    subprocess.run(
        [PURGECSS, "--config", "purgecss.config.cjs", "--output", output],
        cwd=settings.BASE_DIR,
        check=True,
        timeout=120,
    )

    assert output.read_text(encoding="utf-8") == TRIMMED.read_text(encoding="utf-8"), (
        "run `make css` and commit its output"
    )
