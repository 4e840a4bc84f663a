"""GitHub REST client for sync: list, create, edit and comment on issues, nothing more.

The one module of the tracker that imports httpx; every HTTP failure becomes a
``TrackerError`` here. The token lives in a ``Token`` whose repr and str are masked, is sent
only to the configured API origin (pagination links elsewhere are refused), and is scrubbed
from every message as a last line of defence.
"""

from __future__ import annotations

import email.utils
import re
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Self
from urllib.parse import urlsplit

from linkwatch._version import __version__
from linkwatch.errors import RateLimitedError, TrackerError, UsageError
from linkwatch.tracker.plan import IssueState, RemoteIssue

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    import httpx


DEFAULT_API_URL: Final = "https://api.github.com"
API_VERSION: Final = "2022-11-28"
PER_PAGE: Final = 100
MAX_PAGES: Final = 1000
_REPO_RE: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
_LOGIN_RE: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
# GitHub's advice for a secondary rate limit that names no time: wait at least a minute.
_DEFAULT_RATE_WAIT: Final = 60.0
_RATE_RETRIES: Final = 3
_LOOPBACK: Final = frozenset({"localhost", "127.0.0.1", "::1"})
_SERVER_RETRIES: Final = 2


class Token:
    """A secret that never prints itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        # A token is printable ASCII without spaces; anything else would break (or smuggle)
        # a header. The message never repeats the value.
        if not value or not all("!" <= c <= "~" for c in value):
            raise UsageError("GITHUB_TOKEN holds characters a token cannot have")
        self._value = value

    def reveal(self) -> str:
        """The token itself, for the Authorization header only."""
        return self._value

    def __repr__(self) -> str:
        return "Token('***')"

    __str__ = __repr__


def parse_repo(text: str) -> tuple[str, str]:
    """``OWNER/NAME`` → (owner, name), or a UsageError."""
    if not _REPO_RE.fullmatch(text) or text.endswith(("/.", "/..")):
        raise UsageError(f"--repo must be OWNER/NAME, not {text!r:.80}")
    owner, name = text.split("/")
    return owner, name


def check_api_url(url: str) -> str:
    """An http(s) API root without a trailing slash, query or credentials."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UsageError("--api-url must be an http(s) URL such as https://ghe.example.com/api/v3")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UsageError("--api-url must not carry credentials, a query or a fragment")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        # The token would cross the network in clear text.
        raise UsageError("--api-url must use https (plain http only for localhost)")
    return url.rstrip("/")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


class GitHub:
    """Issues of one repository. Build it with an injected transport in tests."""

    def __init__(
        self,
        repo: str,
        token: Token | None,
        *,
        api_url: str = DEFAULT_API_URL,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_wait: float = 300.0,
        pause: float = 1.0,
        timeout: float = 30.0,
    ) -> None:
        self.owner, self.name = parse_repo(repo)
        self.api_url = check_api_url(api_url)
        self._token = token
        self._sleep = sleep
        self._clock = clock
        self._max_wait = max_wait
        # GitHub asks for a pause of a second between writes to avoid secondary limits.
        self._pause = pause
        self._last_write: float | None = None
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"linkwatch/{__version__}",
        }
        if token is not None:
            headers["Authorization"] = f"Bearer {token.reveal()}"
        # Redirects are followed (a renamed repository answers 301); httpx drops the
        # Authorization header when a redirect leaves the origin.
        # Imported here: httpx takes a tenth of a second to import, and the CLI imports this
        # module for its defaults even when it only prints --version or --help.
        import httpx  # noqa: PLC0415

        from linkwatch.network import trust  # noqa: PLC0415 - with httpx, for the same reason

        # The system trust store, as check uses it: behind TLS inspection, GitHub's API is
        # signed by the network's own root. (httpx reads the proxy variables itself.)
        self._client = httpx.Client(
            headers=headers,
            transport=transport,
            timeout=timeout,
            follow_redirects=True,
            verify=trust.ssl_context(),
        )

    def __repr__(self) -> str:
        return f"GitHub(repo='{self.owner}/{self.name}', api_url='{self.api_url}')"

    def close(self) -> None:
        """Release the connection pool."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def repo(self) -> str:
        """``OWNER/NAME``."""
        return f"{self.owner}/{self.name}"

    def _issues_url(self, suffix: str = "") -> str:
        return f"{self.api_url}/repos/{self.owner}/{self.name}/issues{suffix}"

    # ------------------------------------------------------------ errors

    def _scrub(self, message: str) -> str:
        if self._token is not None and self._token.reveal():
            message = message.replace(self._token.reveal(), "***")
        return message

    def _error(self, message: str, kind: type[TrackerError] = TrackerError) -> TrackerError:
        return kind(self._scrub(message))

    @staticmethod
    def _api_message(response: httpx.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            return ""
        message = data.get("message") if isinstance(data, dict) else None
        if not isinstance(message, str):
            return ""
        cleaned = " ".join("".join(c if c.isprintable() else " " for c in message).split())
        return cleaned[:200]

    def _status_error(self, method: str, response: httpx.Response) -> TrackerError:
        code = response.status_code
        said = self._api_message(response)
        detail = f" (GitHub said: {said})" if said else ""
        if code == 401:
            if self._token is None:
                return self._error(f"GitHub needs a token (HTTP 401): set GITHUB_TOKEN{detail}")
            return self._error(f"GitHub rejected the token (HTTP 401): check GITHUB_TOKEN{detail}")
        if code == 403:
            return self._error(
                f"GitHub refused access to {self.repo} (HTTP 403): the token needs permission"
                f" to read and write issues{detail}"
            )
        if code == 404:
            return self._error(
                f"{self.repo} not found at {self.api_url}, or the token cannot see it"
                f" (HTTP 404){detail}"
            )
        if code == 410:
            return self._error(f"issues are disabled in {self.repo} (HTTP 410){detail}")
        return self._error(f"GitHub answered HTTP {code} to {method}{detail}")

    def _rate_limit_wait(self, response: httpx.Response) -> float | None:
        """Seconds to wait before retrying, when this response is a rate limit; else None."""
        if response.status_code not in {403, 429}:
            return None
        retry_after = response.headers.get("retry-after")
        if retry_after is not None:
            if retry_after.strip().isdigit():
                return float(retry_after.strip())
            try:
                when = email.utils.parsedate_to_datetime(retry_after)
            except (TypeError, ValueError):
                return _DEFAULT_RATE_WAIT
            return max(0.0, when.timestamp() - self._clock())
        if response.headers.get("x-ratelimit-remaining") == "0":
            reset = response.headers.get("x-ratelimit-reset", "")
            if reset.isdigit():
                return max(0.0, float(reset) - self._clock()) + 1.0
            return _DEFAULT_RATE_WAIT
        if response.status_code == 429 or "rate limit" in self._api_message(response).lower():
            return _DEFAULT_RATE_WAIT
        return None

    def _rate_limited(self, response: httpx.Response, wait: float) -> TrackerError:
        resume = datetime.fromtimestamp(self._clock() + wait, UTC).strftime("%Y-%m-%d %H:%M:%S")
        return self._error(
            f"GitHub rate limit reached (HTTP {response.status_code}); it lifts at {resume} UTC"
            f" (in {wait:.0f} s). Nothing is lost: run sync again after that.",
            RateLimitedError,
        )

    # ------------------------------------------------------------ requests

    def _pace_write(self) -> None:
        now = self._clock()
        if self._last_write is not None and now - self._last_write < self._pause:
            self._sleep(self._pause - (now - self._last_write))
        self._last_write = self._clock()

    def _request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        not_found_is_an_answer: bool = False,
    ) -> httpx.Response:
        """Send with retries: rate limits always (nothing was done), failures only when safe."""
        # Re-sending a POST after a lost answer could create a second issue or comment;
        # a re-run finds whatever did get created, so POSTs are tried once.
        safe_to_repeat = method in {"GET", "PATCH"}
        rate_waits = server_retries = 0
        while True:
            if method != "GET":
                self._pace_write()
            import httpx  # noqa: PLC0415 - see __init__; already loaded, so a dict lookup

            try:
                response = self._client.request(method, url, params=params, json=json)
            except httpx.HTTPError as e:
                if safe_to_repeat and server_retries < _SERVER_RETRIES:
                    server_retries += 1
                    self._sleep(2.0**server_retries)
                    continue
                raise self._error(
                    f"cannot reach {self.api_url} ({method}): {type(e).__name__}: {e}"
                ) from e
            wait = self._rate_limit_wait(response)
            if wait is not None:
                if wait > self._max_wait or rate_waits >= _RATE_RETRIES:
                    raise self._rate_limited(response, wait)
                rate_waits += 1
                self._sleep(wait)
                continue
            if response.status_code >= 500 and safe_to_repeat and server_retries < _SERVER_RETRIES:
                server_retries += 1
                self._sleep(2.0**server_retries)
                continue
            if response.is_success or (not_found_is_an_answer and response.status_code == 404):
                return response
            raise self._status_error(method, response)

    def _json(self, response: httpx.Response) -> Any:  # noqa: ANN401 - JSON is any shape
        try:
            return response.json()
        except ValueError as e:
            raise self._error(f"GitHub answered something that is not JSON ({e})") from e

    # ------------------------------------------------------------ issues

    def list_issues(self, label: str) -> list[RemoteIssue]:
        """Every issue with ``label``, open and closed, following ``Link: rel=next``."""
        url: str | None = self._issues_url()
        params: dict[str, str] | None = {
            "state": "all",
            "labels": label,
            "per_page": str(PER_PAGE),
        }
        found: list[RemoteIssue] = []
        for _ in range(MAX_PAGES):
            if url is None:
                return found
            response = self._request("GET", url, params=params)
            data = self._json(response)
            if not isinstance(data, list):
                raise self._error(
                    "GitHub answered the issue list with something that is not a list"
                )
            found.extend(_issue(item) for item in data if _is_issue(item))
            url = self._next_page(response.links)
            params = None  # the next link carries the query
        raise self._error(f"more than {MAX_PAGES} pages of issues labelled {label!r}")

    def _next_page(self, links: dict[str | None, dict[str, str]]) -> str | None:
        nxt = links.get("next", {}).get("url")
        if nxt is None:
            return None
        # Never send the token to another origin, whatever a Link header says.
        if _origin(nxt) != _origin(self.api_url):
            raise self._error("GitHub's next-page link points to another host; stopping")
        return nxt

    def can_assign(self, login: str) -> bool:
        """Whether ``login`` may be assigned issues here (GitHub answers 204, else 404).

        Asked before creating: an issue created with an assignee GitHub refuses is not
        created at all (HTTP 422), and one bad owner would stop every later issue.
        """
        if not _LOGIN_RE.fullmatch(login):
            return False
        url = f"{self.api_url}/repos/{self.owner}/{self.name}/assignees/{login}"
        response = self._request("GET", url, not_found_is_an_answer=True)
        return response.status_code == 204

    def create_issue(
        self, title: str, body: str, label: str, assignees: tuple[str, ...] = ()
    ) -> int:
        """Open an issue with the label (and the assignees); returns its number."""
        payload: dict[str, Any] = {"title": title, "body": body, "labels": [label]}
        if assignees:
            payload["assignees"] = list(assignees)
        data = self._json(self._request("POST", self._issues_url(), json=payload))
        number = data.get("number") if isinstance(data, dict) else None
        if not isinstance(number, int):
            raise self._error("GitHub created an issue but did not say its number")
        labels = data.get("labels") or []
        names = {item.get("name") if isinstance(item, dict) else item for item in labels}
        if label not in names:
            # Without the label the next run cannot find it and would open another.
            raise self._error(
                f"GitHub created #{number} without the label {label!r} (the token may lack"
                " triage access); stopping so that no duplicate is opened"
            )
        return number

    def edit_issue(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: IssueState | None = None,
    ) -> None:
        """Change title, body and/or state; None fields are left as they are."""
        payload: dict[str, Any] = {}
        if title is not None:
            payload["title"] = title
        if body is not None:
            payload["body"] = body
        if state is not None:
            payload["state"] = state.value
            if state is IssueState.CLOSED:
                payload["state_reason"] = "completed"
        self._request("PATCH", self._issues_url(f"/{number}"), json=payload)

    def add_comment(self, number: int, text: str) -> None:
        """Post a comment on an issue."""
        self._request("POST", self._issues_url(f"/{number}/comments"), json={"body": text})


def _is_issue(item: object) -> bool:
    # The issues endpoint lists pull requests too.
    return (
        isinstance(item, dict)
        and "pull_request" not in item
        and isinstance(item.get("number"), int)
    )


def _text(value: object) -> str:
    # GitHub sends null for an empty body.
    return value if isinstance(value, str) else ""


def _issue(item: dict[str, Any]) -> RemoteIssue:
    return RemoteIssue(
        number=item["number"],
        title=_text(item.get("title")),
        body=_text(item.get("body")),
        open=item.get("state") == "open",
        not_planned=item.get("state_reason") == "not_planned",
    )
