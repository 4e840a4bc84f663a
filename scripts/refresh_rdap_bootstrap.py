"""Replace linkwatch's shipped RDAP bootstrap file with IANA's current one (run before a release).

    python scripts/refresh_rdap_bootstrap.py            # fetch, check, write
    python scripts/refresh_rdap_bootstrap.py --check    # fetch and check only

linkwatch never fetches this file at run time: a run asks nothing of IANA. The file maps each
TLD to its registry's RDAP base URLs (RFC 9224); a TLD missing from it is a note in the report.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path

SOURCE = "https://data.iana.org/rdap/dns.json"
TARGET = Path(__file__).resolve().parents[1] / "src" / "linkwatch" / "data" / "rdap-dns.json"
MAX_BYTES = 4 * 1024 * 1024


def check(doc: object) -> list[str]:
    """What is wrong with a bootstrap document (empty when it is usable)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), list):
        return ["not an RDAP bootstrap document (no services list)"]
    problems = []
    seen: set[str] = set()
    for i, service in enumerate(doc["services"]):
        ok = (
            isinstance(service, list)
            and len(service) == 2
            and all(isinstance(part, list) for part in service)
            and all(isinstance(x, str) for part in service for x in part)
        )
        if not ok:
            problems.append(f"services[{i}]: expected [[suffixes], [base URLs]]")
            continue
        seen.update(s.lower() for s in service[0])
        if not any(url.startswith("https://") for url in service[1]):
            problems.append(f"services[{i}] ({', '.join(service[0][:3])}): no https URL")
    problems.extend(f"{tld}: missing" for tld in ("com", "net", "org", "uk") if tld not in seen)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fetch and check; write nothing")
    args = parser.parse_args()
    request = urllib.request.Request(SOURCE, headers={"User-Agent": "linkwatch-release"})
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - a fixed https URL
        data = answer.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        print(f"{SOURCE}: larger than {MAX_BYTES} bytes; not written", file=sys.stderr)
        return 1
    doc = json.loads(data)
    problems = check(doc)
    for problem in problems:
        print(f"{SOURCE}: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"{len(doc['services'])} services, published {doc.get('publication', '?')}")
    if not args.check:
        TARGET.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
