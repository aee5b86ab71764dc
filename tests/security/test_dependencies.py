"""No installed dependency has a known vulnerability (pip-audit), unless docs/security.md lists
it under "Accepted vulnerabilities" with the reason.

pip-audit asks PyPI's JSON API for each installed package's known vulnerabilities. Where that
data cannot be reached (no internet, or a package mirror without the JSON API), pip-audit skips
every package and still says "No known vulnerabilities found": this test notices and skips,
saying so, rather than passing on no evidence.

The other half of the dependency and code checks, ruff's flake8-bandit rules (S), is selected
in pyproject.toml and run over the whole project by `make lint` in CI (docs/security.md).
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"
NETWORK_TROUBLE = re.compile(
    r"connection|timed? ?out|resolve|unreachable|max retries|ssl|proxy|network", re.I
)


def accepted_vulnerabilities() -> set[str]:
    """IDs listed in docs/security.md under the heading "Accepted vulnerabilities"."""
    text = (ROOT / "docs" / "security.md").read_text()
    section = re.search(r"^## Accepted vulnerabilities\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if section is None:
        return set()
    return set(re.findall(r"\b(?:PYSEC-\d{4}-\d+|GHSA(?:-\w{4}){3}|CVE-\d{4}-\d+)\b", section[1]))


def test_docs_say_where_accepted_vulnerabilities_go():
    assert "## Accepted vulnerabilities" in (ROOT / "docs" / "security.md").read_text()


def test_installed_dependencies_have_no_known_vulnerabilities():
    if not PIP_AUDIT.exists():
        pytest.fail("pip-audit is not installed: it is in the dev extra (pip install -e '.[dev]')")
    command = [
        str(PIP_AUDIT),
        "--local",
        "--skip-editable",  # the project itself is not on PyPI
        "--progress-spinner",
        "off",
        "--format",
        "json",
        "--timeout",
        "10",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=ROOT)
    except subprocess.TimeoutExpired:
        pytest.skip("pip-audit could not fetch vulnerability data within 180 s (no internet?)")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        if NETWORK_TROUBLE.search(result.stderr):
            pytest.skip(f"pip-audit could not reach its vulnerability data: {result.stderr[-300:]}")
        pytest.fail(f"pip-audit failed ({result.returncode}): {result.stderr[-1000:]}")
    dependencies = report["dependencies"]
    audited = [d for d in dependencies if "skip_reason" not in d]
    if not audited:
        reason = dependencies[0]["skip_reason"] if dependencies else "nothing installed?"
        pytest.skip(
            "pip-audit could not fetch vulnerability data for any of the "
            f"{len(dependencies)} installed packages (no internet, or a PyPI mirror without "
            f"the JSON API), so nothing was checked. First reason given: {reason}"
        )
    accepted = accepted_vulnerabilities()
    found = {
        f"{d['name']} {d['version']}: {v['id']}"
        for d in audited
        for v in d.get("vulns", [])
        if v["id"] not in accepted and not set(v.get("aliases", [])) & accepted
    }
    assert not found, f"known vulnerabilities (upgrade, or accept in docs/security.md): {found}"
