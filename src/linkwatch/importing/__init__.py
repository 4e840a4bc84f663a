"""Importing: links found in documents people already have (text, Markdown, HTML, a web page).

Owns ``documents`` (finding and naming links in a document), ``markdown`` (which parts of a
Markdown text are code, not links), ``webpage`` (fetching a page with ``check``'s safety
rules) and ``entries`` (the new links.yaml entries and appending them). May import
``listfile``, ``report``, ``network``, ``judgement``, ``urls``, ``models`` and ``errors``;
never history, the tracker, the pipeline or the CLI.
"""
