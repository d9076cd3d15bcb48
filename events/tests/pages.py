"""Reading what a served page tells browsers and search engines."""

import json
from html.parser import HTMLParser


class PageMetadata(HTMLParser):
    """The <meta> tags, <link> elements and JSON-LD scripts of an HTML page."""

    def __init__(self, html):
        super().__init__()
        self.meta = {}
        self.links = []
        self.json_ld = []
        self._in_json_ld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            self.meta[attrs.get("property") or attrs.get("name")] = attrs["content"]
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append(json.loads(data))

    def link(self, rel):
        hrefs = [link["href"] for link in self.links if link.get("rel") == rel]
        assert len(hrefs) == 1, f"expected one <link rel={rel}>, found {hrefs}"
        return hrefs[0]

    def alternate_languages(self):
        """hreflang code: address, for each language version the page declares."""
        return {link["hreflang"]: link["href"] for link in self.links if "hreflang" in link}


def page_metadata(response):
    return PageMetadata(response.content.decode())
