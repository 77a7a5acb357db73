"""Scoring follows the criteria's worked example (2564 provincial result) to the hundredth."""

from pathlib import Path

from oit_checker.models import ItemResult
from oit_checker.rules import RuleSet
from oit_checker.score import score


def _rules(groups: dict[str, int]) -> RuleSet:
    subs = {sid: (f"sub {sid}", sid.split(".")[0]) for sid in groups}
    return RuleSet(
        year=2564,
        title="t",
        path=Path("x.toml"),
        status="provisional",
        indicators={"9": "การเปิดเผยข้อมูล", "10": "การป้องกันการทุจริต"},
        subindicators=subs,
        items=(),
    )


def _results(spec: dict[str, tuple[int, int]]) -> list[ItemResult]:
    out = []
    for sid, (present, total) in spec.items():
        for n in range(total):
            status = "present" if n < present else "absent"
            out.append(ItemResult(f"O{sid}.{n}", "t", sid, sid.split(".")[0], status, ""))
    return out


def test_worked_example_from_the_criteria():
    # indicator 9 = (88.89+100+100+100+100)/5 = 97.78 (8 of 9 items); 10 = (87.5+100)/2 = 93.75
    spec = {
        "9.1": (8, 9),
        "9.2": (3, 3),
        "9.3": (4, 4),
        "9.4": (4, 4),
        "9.5": (4, 4),
        "10.1": (7, 8),
        "10.2": (2, 2),
    }
    rules = _rules({k: v[1] for k, v in spec.items()})
    scores = score(_results(spec), rules)
    assert scores.subindicators["9.1"] == 88.89
    assert scores.indicators == {"9": 97.78, "10": 93.75}
    assert scores.oit == 95.77
    assert scores.item_average == round(32 / 34 * 100, 2)


def test_ita_total_and_rating_bands():
    spec = {"9.1": (1, 1), "10.1": (1, 1)}
    rules = _rules({"9.1": 1, "10.1": 1})
    top = score(_results(spec), rules, iit=96, eit1=97, eit2=95)
    assert top.ita["total"] == round(96 * 0.3 + 97 * 0.15 + 95 * 0.15 + 100 * 0.4, 2)
    assert top.ita["rating"] == "ผ่านดีเยี่ยม"
    assert score(_results(spec), rules, iit=90, eit1=90, eit2=90).ita["rating"] == "ผ่านดี"
    assert score(_results(spec), rules, iit=80, eit1=90, eit2=90).ita["rating"] == "ผ่าน"
    low = {"9.1": (0, 1), "10.1": (0, 1)}
    assert score(_results(low), rules, iit=90, eit1=90, eit2=90).ita["rating"] == "ต้องปรับปรุงโดยด่วน"
    assert score(_results(spec), rules).ita is None


def test_weights_and_bands_come_from_the_rule_files(tmp_path):
    from oit_checker.rules import RULES_DIR, load_rules, load_year
    from oit_checker.score import ita_total

    shipped = load_year(2568)
    assert shipped.scoring["weights"]["oit"] == 40.0
    scores = {"iit": 80.0, "eit1": 80.0, "eit2": 80.0, "oit": 100.0}
    assert ita_total(shipped, scores) == {"total": 88.0, "rating": "ผ่าน", "instruments": scores}
    # A sector variant that weighs OIT at half: the total and the rating follow the data.
    common = (RULES_DIR / "common.toml").read_text(encoding="utf-8")
    (tmp_path / "common.toml").write_text(
        common.replace("oit = 40.0 }", "oit = 50.0 }").replace("iit = 30.0", "iit = 20.0"),
        encoding="utf-8",
    )
    (tmp_path / "variant.toml").write_text(
        (RULES_DIR / "ita-2568.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    variant = load_rules(tmp_path / "variant.toml")
    assert ita_total(variant, scores)["total"] == 90.0
