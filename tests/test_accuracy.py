"""The accuracy suite: every fixture site's verdicts must match its expected file exactly.

Each site under fixtures/ imitates a way real agency sites publish OIT (see each README.md);
a disagreement fails CI, and a false *present* is the worst kind.
"""

from pathlib import Path

import pytest

from oit_checker.evaluate import case_name, evaluate_fixture, fixture_cases

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.mark.parametrize("case", fixture_cases(FIXTURES), ids=case_name)
def test_fixture_site_verdicts_match_expected(case, tmp_path):
    ev, _ = evaluate_fixture(case, tmp_path / "oit.db")
    print(
        f"{ev.site}: {ev.agree}/{ev.total} agree, false present {ev.false_present}, false absent {ev.false_absent}, other {ev.other}"
    )
    assert ev.false_present == 0, ev.disagreements
    assert ev.disagreements == []
