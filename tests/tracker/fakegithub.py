"""An in-memory GitHub issues API behind an httpx.MockTransport, faithful for the calls sync makes.

Like the real one: listing is newest first, paginated with a ``Link`` header, filtered by
``state`` and ``labels``, includes pull requests; creating auto-creates labels; closing sets
``state_reason``; a bad token is 401, an unknown repository 404. Assignees: only logins in
``assignable`` may be assigned (``GET /assignees/LOGIN`` answers 204, else 404), and creating
an issue with any other assignee is refused whole (422), as GitHub does. Failures are injected with
``fail_after_writes`` (a rate limit after N successful writes) or ``respond``.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

if TYPE_CHECKING:
    from collections.abc import Iterator

API = "https://api.github.test"
TOKEN = "ghp_S3cretTokenValue0123456789abcdefXYZ"


@dataclass
class FakeIssue:
    number: int
    title: str
    body: str | None
    labels: list[str]
    state: str = "open"
    state_reason: str | None = None
    comments: list[str] = field(default_factory=list)
    pull_request: bool = False
    assignees: list[str] = field(default_factory=list)

    def as_json(self, api: str, repo: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "url": f"{api}/repos/{repo}/issues/{self.number}",
            "number": self.number,
            "title": self.title,
            "body": self.body,
            "state": self.state,
            "state_reason": self.state_reason,
            "labels": [{"name": name, "color": "ededed"} for name in self.labels],
            "comments": len(self.comments),
            "assignees": [{"login": login} for login in self.assignees],
            "user": {"login": "linkwatch-bot"},
        }
        if self.pull_request:
            data["pull_request"] = {"url": "..."}
        return data


class FakeGitHub:
    """The issues of one repository, served over a mock transport."""

    def __init__(self, repo: str = "safe/links", token: str = TOKEN, api: str = API) -> None:
        self.repo = repo
        self.token = token
        self.api = api
        self.issues: dict[int, FakeIssue] = {}
        self.requests: list[httpx.Request] = []
        self.writes = 0
        self.fail_after_writes: int | None = None  # rate limit every write after this many
        self.rate_limit_headers: dict[str, str] = {"retry-after": "3600"}
        self.respond: dict[tuple[str, str], httpx.Response] = {}  # forced answers
        self.label_dropping = False  # like a token without triage access
        self.assignable: set[str] = set()  # logins with access to the repository

    # ------------------------------------------------------------ helpers for tests

    def add(self, title: str, body: str | None, labels=("linkwatch",), **kw: Any) -> FakeIssue:
        number = max(self.issues, default=0) + 1
        issue = FakeIssue(number, title, body, list(labels), **kw)
        self.issues[number] = issue
        return issue

    def ours(self, label: str = "linkwatch") -> list[FakeIssue]:
        return [i for i in self.issues.values() if label in i.labels and not i.pull_request]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # ------------------------------------------------------------ the API

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = urlsplit(str(request.url))
        forced = self.respond.get((request.method, url.path))
        if forced is not None:
            return forced
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _json(401, {"message": "Bad credentials"})
        assignees = f"/repos/{self.repo}/assignees/"
        if request.method == "GET" and url.path.startswith(assignees):
            login = url.path[len(assignees) :]
            return httpx.Response(204 if login in self.assignable else 404)
        prefix = f"/repos/{self.repo}/issues"
        if not url.path.startswith(prefix):
            return _json(404, {"message": "Not Found"})
        rest = url.path[len(prefix) :].strip("/").split("/") if url.path != prefix else []
        if request.method != "GET":
            if self.fail_after_writes is not None and self.writes >= self.fail_after_writes:
                return _json(
                    403,
                    {"message": "You have exceeded a secondary rate limit."},
                    self.rate_limit_headers,
                )
            self.writes += 1
        body = json.loads(request.content) if request.content else {}
        match request.method, rest:
            case "GET", []:
                return self._list(parse_qs(url.query))
            case "POST", []:
                return self._create(body)
            case "PATCH", [number]:
                return self._edit(int(number), body)
            case "POST", [number, "comments"]:
                return self._comment(int(number), body)
        return _json(404, {"message": "Not Found"})

    def _list(self, query: dict[str, list[str]]) -> httpx.Response:
        state = query.get("state", ["open"])[0]
        labels = [x for x in query.get("labels", [""])[0].split(",") if x]
        per_page = min(int(query.get("per_page", ["30"])[0]), 100)
        page = int(query.get("page", ["1"])[0])
        chosen = [
            i
            for i in sorted(self.issues.values(), key=lambda i: -i.number)
            if state in {"all", i.state} and all(x in i.labels for x in labels)
        ]
        last = max(1, -(-len(chosen) // per_page))
        items = chosen[(page - 1) * per_page : page * per_page]
        headers = {}
        links = []
        base = {"state": state, "labels": ",".join(labels), "per_page": per_page}
        path = f"{self.api}/repos/{self.repo}/issues"
        if page < last:
            links.append(f'<{path}?{urlencode({**base, "page": page + 1})}>; rel="next"')
            links.append(f'<{path}?{urlencode({**base, "page": last})}>; rel="last"')
        if links:
            headers["link"] = ", ".join(links)
        return _json(200, [i.as_json(self.api, self.repo) for i in items], headers)

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        if not body.get("title"):
            return _json(422, {"message": "Validation Failed"})
        labels = [] if self.label_dropping else list(body.get("labels", []))
        assignees = list(body.get("assignees", []))
        if any(login not in self.assignable for login in assignees):
            return _json(422, {"message": "Validation Failed"})
        issue = self.add(body["title"], body.get("body"), labels, assignees=assignees)
        return _json(201, issue.as_json(self.api, self.repo))

    def _edit(self, number: int, body: dict[str, Any]) -> httpx.Response:
        issue = self.issues.get(number)
        if issue is None:
            return _json(404, {"message": "Not Found"})
        if "title" in body:
            issue.title = body["title"]
        if "body" in body:
            issue.body = body["body"]
        if "assignees" in body:
            issue.assignees = list(body["assignees"])
        if "state" in body:
            issue.state = body["state"]
            issue.state_reason = (
                body.get("state_reason", "completed") if body["state"] == "closed" else "reopened"
            )
        return _json(200, issue.as_json(self.api, self.repo))

    def _comment(self, number: int, body: dict[str, Any]) -> httpx.Response:
        issue = self.issues.get(number)
        if issue is None:
            return _json(404, {"message": "Not Found"})
        issue.comments.append(body["body"])
        return _json(201, {"id": len(issue.comments), "body": body["body"]})


def _json(status: int, data: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=data, headers=headers or {})


@contextlib.contextmanager
def serve(fake: FakeGitHub) -> Iterator[str]:
    """Serve ``fake`` over real HTTP on 127.0.0.1; yields the API root to pass as --api-url."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            request = httpx.Request(
                self.command,
                f"{fake.api}{self.path}",
                headers=list(self.headers.items()),
                content=self.rfile.read(length),
            )
            response = fake.handle(request)
            body = response.read()
            self.send_response(response.status_code)
            for name, value in response.headers.items():
                if name.lower() not in {"content-length", "transfer-encoding", "connection"}:
                    self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = _any  # noqa: N815 - http.server's naming

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.api = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake.api
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
