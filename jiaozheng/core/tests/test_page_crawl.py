"""Crawl every UI page as an officer and as the supervised person, and the API docs page.

Every HTML page must load nothing from another host (src/href/url() to http(s):// elsewhere, or
protocol-relative //host), carry no inline script and no on*= handler (the Content-Security-Policy forbids
them, so they would silently not run), send the Content-Security-Policy header, and, for a signed-in user,
``Cache-Control: no-store``. Pages come from the URL configuration (the access matrix's route list), with
in-scope objects made by each app's testing factories, so a new page is crawled the moment it exists.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.test import Client, TestCase

from jiaozheng.core.testing.matrix import OBJECT_FACTORIES, OWNED, _isolated, _url, discover, ui_routes
from jiaozheng.core.testing.world import make_world

discover()

LOCAL_HOSTS = {"testserver", "localhost", "127.0.0.1"}
_URL_IN_CSS = re.compile(r"url\(\s*['\"]?([^'\")]+)")
_EXTERNAL = re.compile(r"^\s*(?:https?:)?//([^/:?#]+)", re.IGNORECASE)
URL_ATTRIBUTES = {"src", "href", "action", "poster", "data", "srcset", "formaction", "xlink:href"}
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


def external_hosts(value: str) -> list[str]:
    found = []
    for part in re.split(r"[\s,]+", value or ""):
        match = _EXTERNAL.match(part)
        if match and match.group(1).lower() not in LOCAL_HOSTS:
            found.append(part)
    return found


class PageAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_inline_script = False
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"inline handler {name}= on <{tag}>")
            if name.startswith("hx-on"):
                self.problems.append(f"inline handler {name}= on <{tag}> (needs eval)")
            if name in URL_ATTRIBUTES and value:
                self.problems += [f"external URL in <{tag} {name}>: {u}" for u in external_hosts(value)]
                if value.strip().lower().startswith("javascript:"):
                    self.problems.append(f"javascript: URL in <{tag} {name}>")
            if name == "style" and value:
                self.problems += [
                    f"external url() in style: {u}" for u in _URL_IN_CSS.findall(value) if external_hosts(u)
                ]
        if tag == "script" and not attrs.get("src"):
            if (attrs.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
                self._in_inline_script = True
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:60]!r}")
        if self._in_style:
            self.problems += [
                f"external url() in <style>: {u}" for u in _URL_IN_CSS.findall(data) if external_hosts(u)
            ]


def audit_html(html: str) -> list[str]:
    parser = PageAudit()
    parser.feed(html)
    return parser.problems


def test_the_audit_would_catch_each_kind_of_problem():
    html = (
        '<script src="https://cdn.example.com/x.js"></script><script>alert(1)</script>'
        '<link href="//fonts.example.org/a.css"><div style="background:url(https://x.example/i.png)"></div>'
        '<button onclick="go()">x</button><a href="http://testserver/ok">ok</a><img src="/static/a.png">'
        '<script type="application/json">{"a": 1}</script>'
    )
    problems = audit_html(html)
    assert len(problems) == 5, problems


class PageCrawl(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = make_world()

    def _crawl(self, persona: str, where: str) -> tuple[int, list[str]]:
        user = self.world.users[persona]
        failures: list[str] = []
        crawled = 0
        for route in ui_routes():
            policy = route.policy
            if policy is None or policy.public or not policy.allows_role(user.role):
                continue
            obj_param, label = policy.obj if policy.obj else (None, None)
            factory = OBJECT_FACTORIES.get(label) if label else None
            if label and factory is None:
                continue

            def go(route=route, policy=policy, obj_param=obj_param, label=label, factory=factory):
                obj = None
                if factory is not None:
                    obj = factory(
                        self.world, "own" if label in OWNED else where, *([user] if label in OWNED else [])
                    )
                    if obj is None:
                        return None
                values = dict(policy.samples)
                if obj_param:
                    values[obj_param] = obj.pk
                for param in route.params:
                    values.setdefault(param, 1)
                url = _url(route, values)
                client = Client(raise_request_exception=False)
                client.force_login(user)
                response = client.get(url)
                return (
                    url,
                    response.status_code,
                    dict(response.headers),
                    (
                        response.content.decode("utf-8", "replace")
                        if response.get("Content-Type", "").startswith("text/html") and not response.streaming
                        else None
                    ),
                )

            result = _isolated(go)
            if result is None:
                continue
            url, status, headers, html = result
            if status >= 500:
                failures.append(f"{url}: {status}")
                continue
            if status != 200:
                continue
            if "no-store" not in headers.get("Cache-Control", ""):
                failures.append(f"{url}: no Cache-Control: no-store")
            if html is None:
                continue
            crawled += 1
            if "script-src 'self'" not in headers.get("Content-Security-Policy", ""):
                failures.append(f"{url}: no Content-Security-Policy")
            failures += [f"{url}: {p}" for p in audit_html(html)]
        return crawled, failures

    def test_officer_pages_load_nothing_from_elsewhere_and_run_no_inline_script(self):
        crawled, failures = self._crawl("bureau_admin", "A")
        assert crawled > 40, crawled
        assert not failures, "\n".join(failures)

    def test_the_supervised_persons_pages_too(self):
        crawled, failures = self._crawl("subject", "subject")
        assert crawled > 3, crawled
        assert not failures, "\n".join(failures)

    def test_the_api_docs_page_uses_vendored_swagger(self):
        client = Client()
        client.force_login(self.world.users["bureau_admin"])
        response = client.get("/api/v1/docs")
        assert response.status_code == 200
        html = response.content.decode()
        assert "/static/ninja/swagger-ui-bundle.js" in html
        assert not audit_html(html), audit_html(html)
        assert "no-store" in response["Cache-Control"]
