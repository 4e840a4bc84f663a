"""Judgement, pure: an observation and a link's policy in, an outcome with reason and action out.

Owns ``classify`` (statuses, flags, reasons, actions), ``pages`` (what the start of a page
says: parked, a bot wall, a vanished page, its title), ``policy`` (which statuses and flags
fail a run: the exit code), ``sites`` (the registrable domain, from the offline public
suffix list) and ``domains`` (RDAP answers read, domains judged, review reminders). No I/O,
no clock, no httpx; imports only ``urls``, ``models`` and ``errors``.
"""
