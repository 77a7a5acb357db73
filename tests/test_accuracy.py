"""The accuracy suite: every fixture site's verdicts must match its expected file exactly.

Each site under fixtures/ imitates a way real agency sites publish OIT (see each README.md);
a disagreement fails CI, and a false *present* is the worst kind.
"""

from pathlib import Path

import pytest

from oit_checker.evaluate import evaluate_fixture, fixture_sites

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.mark.parametrize("folder", fixture_sites(FIXTURES), ids=lambda p: p.name)
def test_fixture_site_verdicts_match_expected(folder, tmp_path):
    ev, _ = evaluate_fixture(folder, tmp_path / "oit.db")
    print(
        f"{ev.site}: {ev.agree}/{ev.total} agree, false present {ev.false_present}, false absent {ev.false_absent}, other {ev.other}"
    )
    assert ev.false_present == 0, ev.disagreements
    assert ev.disagreements == []
