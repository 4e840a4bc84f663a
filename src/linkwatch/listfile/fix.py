"""``linkwatch fix``: adopt the permanent same-site moves a saved report proves, as a diff.

No network: the redirect chain is in the report. A link's URL is replaced only when every
redirect of its chain was permanent (301 or 308), every hop stayed on the link's own site
(the registrable domain, with the public suffix list's private section honoured, so
``alice.github.io`` is not ``bob.github.io``; ``www.`` and the bare domain are one site, and
``http`` → ``https`` is an upgrade, not a move), nothing went from https to http, and the
final page raised no suspicion. Everything else with a redirect is listed for a human.

Like ``clean``: ``plan`` is pure (text and report in, plain data out), ``write`` puts the
bytes in place atomically, and the unified diff is a pure function of the plan.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, assert_never
from urllib.parse import urlsplit

from linkwatch import urls
from linkwatch.errors import UsageError
from linkwatch.judgement.pages import moved_to_home
from linkwatch.judgement.sites import same_site
from linkwatch.listfile import config, fileio, rewrite
from linkwatch.listfile.yamlsrc import read_text
from linkwatch.models import Flag, Hop, Status
from linkwatch.report.neutralise import clean

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from linkwatch.models import Config, Link, Outcome, Report

PERMANENT = frozenset({301, 308})
# Flags that mean the final page is not to be trusted without a look, and why.
SUSPICIOUS: dict[Flag, str] = {
    Flag.CROSS_SITE_REDIRECT: "it ends on another site",
    Flag.PARKED_DOMAIN: "the final page looks parked or for sale",
    Flag.HTTPS_DOWNGRADE: "it goes from https to http",
    Flag.EXPECT_TEXT_MISSING: "the expected text is missing from the final page",
    Flag.MOVED_TO_HOME: (
        "it ends at the site's home page or a search page: the page is gone, not moved"
    ),
    Flag.SOFT_404: "the final page says it is not found",
}


class Kind(StrEnum):
    """What ``fix`` does with one redirected link."""

    ADOPT = "adopt"  # proven: the URL is (or would be) replaced
    BY_HAND = "by_hand"  # proven, but the file cannot be edited there in place
    REVIEW = "review"  # a redirect a human must judge; never applied automatically
    STALE = "stale"  # the file changed since the report; nothing is known about it now


@dataclass(frozen=True, slots=True)
class Finding:
    """One link of the report that redirects, and what ``fix`` makes of it."""

    kind: Kind
    index: int  # in the ``links`` list
    line: int  # 1-based line of the url value (in the file when it matches, else the report)
    old: str  # the URL as written
    new: str | None  # the address the report proves; None when it proves none
    why: str  # for BY_HAND, REVIEW and STALE: why it is not applied; else empty


@dataclass(frozen=True, slots=True)
class FixPlan:
    """Everything ``fix`` found for one file, and the file's bytes before and after."""

    path: str  # as shown to the user
    findings: tuple[Finding, ...]
    original: bytes
    updated: bytes  # equals ``original`` when nothing is adopted
    # Adopted links whose `reviewed:` could not be set (``fix --reviewed``), and why.
    unreviewed: tuple[rewrite.Skipped, ...] = ()

    def of(self, kind: Kind) -> tuple[Finding, ...]:
        """The findings of one kind, in file order."""
        return tuple(f for f in self.findings if f.kind is kind)


def plan(
    text: str, report: Report, path: str = config.CONFIG_NAME, *, reviewed: date | None = None
) -> FixPlan:
    """Decide what ``report`` proves about the links in ``text``, and rewrite the text.

    ``reviewed``: the day the person running ``fix`` adopts the moves; each adopted link's
    ``reviewed:`` is set to it (the domain watch then counts from that day).

    Raises ConfigError when the text is not a valid links.yaml, and UsageError when the
    report does not describe this file at all (not one link matches by position and URL).
    """
    cfg = config.loads(text, path)
    by_index = {link.index: link for link in cfg.links}
    matched = sum(
        1
        for o in report.outcomes
        if (now := by_index.get(o.link.index)) is not None and now.url == o.link.url
    )
    if report.outcomes and not matched:
        raise UsageError(
            f"the report ({clean(report.config_path)}) does not describe {path}: none of its"
            f" {len(report.outcomes)} links is in the file at the same position with the same"
            f" URL; run `linkwatch check` on {path} first"
        )
    findings: list[Finding] = []
    seen: set[int] = set()
    for outcome in report.outcomes:
        if len(outcome.redirects) < 2 or outcome.link.index in seen:
            continue  # no redirect: nothing to adopt or to review (and each link once)
        seen.add(outcome.link.index)
        link = by_index.get(outcome.link.index)
        if link is None or link.url != outcome.link.url:
            findings.append(_stale(outcome, link))
            continue
        finding = _judge(outcome, link, cfg)
        if finding is not None:
            findings.append(finding)
    findings = _no_duplicates(findings, cfg)
    adopt = {f.index: f.new for f in findings if f.kind is Kind.ADOPT and f.new is not None}
    result = rewrite.rewrite_urls(text, adopt, path)
    why = {s.index: s.reason for s in result.skipped}
    findings = [
        Finding(Kind.BY_HAND, f.index, f.line, f.old, f.new, why[f.index])
        if f.kind is Kind.ADOPT and f.index in why
        else f
        for f in findings
    ]
    new_text = result.text
    unreviewed: tuple[rewrite.Skipped, ...] = ()
    if reviewed is not None and result.applied:
        dated = rewrite.set_reviewed(new_text, result.applied, reviewed, path)
        new_text, unreviewed = dated.text, dated.skipped
    original = text.encode("utf-8")
    updated = new_text.encode("utf-8") if result.applied else original
    ordered = tuple(sorted(findings, key=lambda f: f.index))
    return FixPlan(path, ordered, original, updated, unreviewed)


def load_plan(
    path: Path, report: Report, shown: str | None = None, *, reviewed: date | None = None
) -> FixPlan:
    """Read a links.yaml and plan its fixes from ``report`` (raises ConfigError, UsageError)."""
    name = shown or str(path)
    # A strict UTF-8 decode round-trips exactly, so ``original`` is the file's bytes.
    return plan(read_text(path, name), report, name, reviewed=reviewed)


def write(fixed: FixPlan, path: Path) -> None:
    """Put the fixed file in place, unless it changed since it was read (raises WriteError)."""
    if fixed.updated != fixed.original:
        fileio.write_atomic(path, fixed.updated, fixed.original, shown=fixed.path)


def fix_file(
    path: Path,
    shown: str,
    report: Report,
    *,
    write_back: bool = False,
    reviewed: date | None = None,
) -> FixPlan:
    """``fix`` on one file (see ``config.editable_path``) from ``report``.

    With ``write_back`` the proven moves replace the original atomically. Raises UsageError,
    ConfigError, WriteError.
    """
    fixed = load_plan(path, report, shown, reviewed=reviewed)
    if write_back:
        write(fixed, path)
    return fixed


# ---------------------------------------------------------------------------- judgement
def _stale(outcome: Outcome, link: Link | None) -> Finding:
    old = outcome.link.url
    now = "has no such entry" if link is None else f"now holds {link.url}"
    return Finding(
        Kind.STALE,
        outcome.link.index,
        outcome.link.url_line,
        old,
        None,
        f"links[{outcome.link.index}] {now}: the file changed since the report; run check again",
    )


def reasons_against(outcome: Outcome) -> list[str]:
    """Why the report's redirect chain must not be adopted without a human; empty when it may."""
    hops = outcome.redirects
    first = hops[0].url
    why: list[str] = []
    if outcome.status is not Status.REDIRECTED:
        why.append(f"it ends {outcome.status.value}: {outcome.reason}")
    temporary = next((h for h in hops[:-1] if h.status_code not in PERMANENT), None)
    if temporary is not None:
        code = temporary.status_code if temporary.status_code is not None else "no answer"
        why.append(f"a temporary redirect ({code}) at {temporary.url}")
    elsewhere = next((h for h in hops[1:] if not _same_site(first, h.url)), None)
    if elsewhere is not None:
        host = urlsplit(elsewhere.url).hostname or elsewhere.url
        why.append(f"it leaves the site for {host}")
    # Checked here too, not only through the flag: a report from an older linkwatch lacks it,
    # and replacing a specific page with the site's home page is never a fix.
    if moved_to_home(first, hops[-1].url, hops):
        why.append(SUSPICIOUS[Flag.MOVED_TO_HOME])
    schemes = [urlsplit(h.url).scheme.lower() for h in hops]
    if any(a == "https" and b == "http" for a, b in itertools.pairwise(schemes)):
        why.append(SUSPICIOUS[Flag.HTTPS_DOWNGRADE])
    for flag in outcome.flags:
        reason = SUSPICIOUS.get(flag)
        if (
            reason is not None
            and reason not in why
            and not (flag is Flag.CROSS_SITE_REDIRECT and elsewhere is not None)
        ):
            why.append(reason)
    return why


def _same_site(url_a: str, url_b: str) -> bool:
    """One site: the same registrable domain (private suffixes too), or ``www.`` added or gone."""
    if same_site(url_a, url_b, private_suffixes=True):
        return True
    host_a = (urlsplit(url_a).hostname or "").lower().removeprefix("www.")
    host_b = (urlsplit(url_b).hostname or "").lower().removeprefix("www.")
    return bool(host_a) and host_a == host_b


def _judge(outcome: Outcome, link: Link, cfg: Config) -> Finding | None:
    final = outcome.final_url or outcome.redirects[-1].url
    new = adopted_url(final, outcome.checked_url, cfg, link)
    why = reasons_against(outcome)
    # A report is a file anyone can edit: the chain must start at the URL checked, end at
    # the final URL, and never leave the site of the URL written in links.yaml.
    if outcome.redirects[0].url.split("#")[0] != outcome.checked_url.split("#")[0]:
        why.append("the report's redirect chain does not start at the URL it checked")
    if final != outcome.redirects[-1].url:
        why.append("the report's final URL is not where its redirect chain ends")
    stays = all(_same_site(link.url, hop.url) for hop in (*outcome.redirects, Hop(final, None)))
    if not stays and not any(w.startswith("it leaves the site") for w in why):
        why.append(f"it leaves the site of {urlsplit(link.url).hostname or link.url}")
    problem = config.check_url(new)
    if problem is not None:
        why.append(f"the final URL {problem}")
    if why:
        return Finding(Kind.REVIEW, link.index, link.url_line, link.url, new, "; ".join(why))
    if new == link.url:
        return None  # the chain came back to where it started: nothing to change
    return Finding(Kind.ADOPT, link.index, link.url_line, link.url, new, "")


def adopted_url(final: str, checked: str, cfg: Config, link: Link) -> str:
    """The URL to write: the final one, without tracking, with the link's own fragment.

    A redirect's Location without a fragment keeps the original one (RFC 9110, 10.2.2), and
    the request never carried it, so it is put back. Tracking added by the redirect goes,
    as ``clean`` would remove it (``keep_params`` honoured).
    """
    cleaned, _ = urls.strip_tracking(final, cfg.defaults.tracking, link.keep_params)
    fragment = urlsplit(checked).fragment if "#" in checked else None
    if fragment is not None and "#" not in cleaned:
        cleaned = f"{cleaned}#{fragment}"
    return cleaned


def _no_duplicates(findings: list[Finding], cfg: Config) -> list[Finding]:
    """A move onto a URL the list already has is a merge, which a human decides."""
    settings = cfg.defaults.tracking
    where = {urls.dedupe_key(link.url, settings): link for link in cfg.links}
    claimed: dict[str, int] = {}
    kept: list[Finding] = []
    for f in findings:
        if f.kind is Kind.ADOPT and f.new is not None:
            key = urls.dedupe_key(f.new, settings)
            other = where.get(key)
            twin = claimed.get(key)
            if other is not None and other.index != f.index:
                f = Finding(  # noqa: PLW2901
                    Kind.REVIEW,
                    f.index,
                    f.line,
                    f.old,
                    f.new,
                    f"the list already has it as links[{other.index}] (line {other.url_line})",
                )
            elif twin is not None:
                f = Finding(  # noqa: PLW2901
                    Kind.REVIEW,
                    f.index,
                    f.line,
                    f.old,
                    f.new,
                    f"links[{twin}] moves to the same address",
                )
            else:
                claimed[key] = f.index
        kept.append(f)
    return kept


# -------------------------------------------------------------------------- formatting
def _lines(text: str) -> list[str]:
    """Lines as a patch sees them: split after each LF, CR LF kept whole."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def diff(fixed: FixPlan) -> str:
    """A unified diff from the file to its fixed form; empty when nothing changes."""
    if fixed.updated == fixed.original:
        return ""
    relative = not fixed.path.startswith("/")
    before, after = (f"a/{fixed.path}", f"b/{fixed.path}") if relative else (fixed.path,) * 2
    out: list[str] = []
    for line in difflib.unified_diff(
        _lines(fixed.original.decode("utf-8")),
        _lines(fixed.updated.decode("utf-8")),
        before,
        after,
    ):
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def format_finding(finding: Finding, path: str) -> str:
    """One line: where, the move, and why it is (not) applied; text from the report is cleaned."""
    where = f"{path}:{finding.line}"
    old = clean(finding.old)
    new = clean(finding.new) if finding.new is not None else None
    match finding.kind:
        case Kind.ADOPT:
            return f"{where}: {old} \u2192 {new} (moved permanently, same site)"
        case Kind.BY_HAND:
            return f"{where}: {old} \u2192 {new}; not rewritten: {clean(finding.why)}"
        case Kind.REVIEW:
            target = f" \u2192 {new}" if new is not None else ""
            return f"{where}: review by hand: {old}{target}: {clean(finding.why)}"
        case Kind.STALE:
            return f"{path}: skipped {old}: {clean(finding.why)}"
        case _:
            assert_never(finding.kind)


def format_findings(fixed: FixPlan) -> str:
    """Every finding, one per line; empty when there is none."""
    return "\n".join(format_finding(f, fixed.path) for f in fixed.findings)


def summary(fixed: FixPlan, *, wrote: bool) -> str:
    """One line on what was (or would be) done to the file."""
    adopt = len(fixed.of(Kind.ADOPT))
    parts = []
    if wrote:
        parts.append(f"{fixed.path}: adopted {_urls(adopt)}")
    elif adopt:
        parts.append(
            f"{fixed.path}: {_urls(adopt)} moved permanently; `linkwatch fix --write` adopts them"
        )
    else:
        parts.append(f"{fixed.path}: nothing to fix")
    for kind, text in (
        (Kind.BY_HAND, "must be edited by hand"),
        (Kind.REVIEW, "to review by hand"),
        (Kind.STALE, "skipped: changed since the report"),
    ):
        if count := len(fixed.of(kind)):
            parts.append(f"{_urls(count)} {text}")
    parts.extend(
        f"reviewed: not set on line {skipped.line} ({skipped.reason})"
        for skipped in fixed.unreviewed
    )
    return "; ".join(parts)


def _urls(count: int) -> str:
    return f"{count} URL{'s' if count != 1 else ''}"
