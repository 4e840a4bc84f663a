"""Nights of `check --state` without a network: each night's report carries its history notes.

What `linkwatch check --state` does to a report and a state, from the same pure functions, so
that tracker tests can feed `sync` the report alone, the state alone, or both.
"""

from __future__ import annotations

from datetime import timedelta

from factories import night, run
from linkwatch.history import statefile
from linkwatch.history import streaks as history
from linkwatch.report import json as report_json


class Checks:
    """One `check --state` per night, one day apart; keeps the report and the state."""

    def __init__(self, *, fail_after: int = 1, recover_after: int = 1) -> None:
        self.thresholds = history.Thresholds(fail_after, recover_after)
        self.state = history.State()
        self.report = None
        self.n = 0

    def night(self, statuses):
        """Check: the report with its notes; the state moves on (saved just after the run)."""
        rep = run(statuses, night(self.n))
        before = self.state
        self.state = history.update(
            before, rep, rep.finished + timedelta(seconds=1), self.thresholds
        )
        self.report = history.annotate(rep, history.marks(before, self.state))
        self.n += 1
        return self.report

    def save(self, folder, *, report_name="report.json", state_name="state.json"):
        """Write the last night's report (as `check --format json`) and state; their paths."""
        report_path, state_path = folder / report_name, folder / state_name
        report_path.write_text(report_json.render(self.report), "utf-8")
        statefile.save(state_path, self.state)
        return report_path, state_path
