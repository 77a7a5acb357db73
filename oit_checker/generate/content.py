"""What an item's evidence says, component by component, written as an agency writes it.

Each rule component (by its ``name`` in the rule file) has a writer here that produces realistic
Thai content for it: a units table for ``units``, a phone line for ``phone``, a complaint time
frame for ``timeframe``. The texts are written from how real agencies publish (criteria README §5
and real-sites.md §3), not from the checker's phrases. A component the library does not know (a
new year's rule) gets its rule label as a sentence and the item records ``content:fallback``.

``DROPPABLE`` names the components a "missing component" fault may leave out: each is written
only by its own writer, so leaving it out really removes it from the evidence.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from oit_checker.generate.blocks import Block, link, p, person, table
from oit_checker.generate.profile import Profile

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
MONTHS = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]  # fmt: skip
ABBRS = [
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
]  # fmt: skip

DROPPABLE = frozenset(
    {
        "units", "duties", "executives", "address", "phone", "email", "qa_channel", "dated",
        "plan_content", "progress", "results", "steps", "service_details", "counts", "months",
        "summary_fields", "content", "hr_topics", "promotion", "responsible", "timeframe",
        "online_channel", "activity", "signer", "culture", "analysis", "implementation",
    }
)  # fmt: skip


@dataclass
class Ctx:
    """What a writer needs: the agency, the year the evidence is for, and a seeded rng."""

    profile: Profile
    year: int  # BE year the content is about (the period decides it; a fault may shift it)
    rng: random.Random
    photos: list[str]  # site paths of the executives' photos
    forms: dict[str, str]  # role -> site path of the forms the evidence links (qa, complaint...)
    due: list[tuple[int, int]]  # (BE year, month) of the assessed year ended by the audit date
    thai_digits: bool = False

    def form(self, role: str) -> str:
        """The path of an on-site form; only forms some evidence links are built."""
        return self.forms.setdefault(role, f"/{role}/form.php")

    def num(self, text: str | int) -> str:
        text = str(text)
        return text.translate(THAI_DIGITS) if self.thai_digits else text

    def fy(self, year: int | None = None) -> str:
        return f"ประจำปีงบประมาณ พ.ศ. {self.num(year or self.year)}"

    def date(self, year_be: int, month: int, day: int) -> str:
        if self.rng.random() < 0.5:
            return self.num(f"{day} {MONTHS[month - 1]} {year_be}")
        return self.num(f"{day} {ABBRS[month - 1]} {year_be}")

    def fy_months(self, year: int | None = None) -> list[tuple[int, int]]:
        """(BE year, month) of the fiscal year, October first."""
        fy = year or self.year
        return [(fy - 1, m) for m in (10, 11, 12)] + [(fy, m) for m in range(1, 10)]


Writer = Callable[[Ctx], list[Block]]


def _units(c: Ctx) -> list[Block]:
    rows = [("ส่วนราชการ", "อัตรากำลัง")]
    rows += [(u, f"{c.num(c.rng.randint(4, 25))} อัตรา") for u in c.profile.units]
    return [p("ส่วนราชการภายในแบ่งออกเป็น"), table(*rows)]


def _key_positions(c: Ctx) -> list[Block]:
    top, deputy, *_rest, head = c.profile.people
    return [
        p(f"{top.position} ({top.name}) กำกับดูแลและรับผิดชอบการบริหารราชการ"),
        p(f"{head.position} เป็นผู้บังคับบัญชาพนักงานและลูกจ้าง รองลงมาคือ {deputy.position}"),
    ]


def _duties(c: Ctx) -> list[Block]:
    return [
        p(f"อำนาจหน้าที่ของ{c.profile.name}"),
        p(
            "(1) จัดให้มีและบำรุงรักษาทางน้ำและทางบก (2) รักษาความสะอาดของถนน ทางน้ำ ทางเดิน "
            "และที่สาธารณะ (3) ป้องกันโรคและระงับโรคติดต่อ (4) ส่งเสริมการศึกษา ศาสนา และวัฒนธรรม "
            "(5) คุ้มครอง ดูแล และบำรุงรักษาทรัพยากรธรรมชาติและสิ่งแวดล้อมในพื้นที่"
        ),
    ]


def _executives(c: Ctx, contact: bool = True) -> list[Block]:
    people = c.profile.people[:3]
    return [person(who, photo, contact) for who, photo in zip(people, c.photos, strict=False)]


def _contact_lines(c: Ctx) -> dict[str, Block]:
    pr = c.profile
    return {
        "address": p(f"ที่อยู่ {pr.name} {c.num(pr.address)}"),
        "phone": p(f"โทรศัพท์ : {pr.phone}"),
        "email": p(f"อีเมล : {pr.email}"),
    }


def _qa(c: Ctx) -> list[Block]:
    return [
        p("ช่องทางถาม-ตอบ (Q&A) ผู้ที่มีข้อสงสัยตั้งคำถามได้ที่กระดานถาม-ตอบ เจ้าหน้าที่ตอบภายใน 3 วันทำการ"),
        link("กระดานถาม-ตอบ (Q&A)", c.form("qa")),
    ]


NEWS_TOPICS = [
    "ประชาสัมพันธ์การชำระภาษีที่ดินและสิ่งปลูกสร้าง",
    "โครงการส่งเสริมอาชีพกลุ่มสตรี",
    "รณรงค์ป้องกันและควบคุมโรคไข้เลือดออก",
    "ประกาศรับสมัครเด็กเล็กเข้าศูนย์พัฒนาเด็กเล็ก",
    "กิจกรรมวันท้องถิ่นไทย",
    "โครงการปลูกต้นไม้เฉลิมพระเกียรติ",
]


def _news(c: Ctx, dated: bool = True) -> list[Block]:
    rows = [("วันที่", "หัวข้อข่าว")] if dated else [("หัวข้อข่าว",)]
    months = [m for m in c.fy_months() if m in c.due] or c.fy_months()
    for i, (year, month) in enumerate(c.rng.sample(months, min(5, len(months)))):
        topic = NEWS_TOPICS[i % len(NEWS_TOPICS)]
        rows.append((c.date(year, month, c.rng.randint(1, 28)), topic) if dated else (topic,))
    return [table(*rows)]


def _plan_content(c: Ctx) -> list[Block]:
    return [
        p(f'วิสัยทัศน์ "{c.profile.place[0]}น่าอยู่ ประชาชนมีคุณภาพชีวิตที่ดี"'),
        p("ยุทธศาสตร์ที่ 1 การพัฒนาโครงสร้างพื้นฐาน ยุทธศาสตร์ที่ 2 การพัฒนาคุณภาพชีวิต"),
        p("เป้าประสงค์และตัวชี้วัด: ถนนได้มาตรฐานร้อยละ 80 ประชาชนพึงพอใจร้อยละ 85"),
    ]


def _projects_table(c: Ctx, budget: bool = True) -> list[Block]:
    names = ["โครงการก่อสร้างถนนคอนกรีตเสริมเหล็ก", "โครงการฝึกอบรมอาชีพ", "โครงการป้องกันยาเสพติด"]
    head = ("ลำดับ", "โครงการ", "งบประมาณ (บาท)", "ระยะเวลา") if budget else ("ลำดับ", "โครงการ")
    rows = [head]
    for i, name in enumerate(names, start=1):
        amount = f"{c.rng.randint(20, 900) * 1000:,}"
        rows.append((str(i), name, amount, "ต.ค. - ก.ย.") if budget else (str(i), name))
    return [table(*rows)]


def _progress(c: Ctx) -> list[Block]:
    y = c.year
    return [
        p(f"รายงานความก้าวหน้าการดำเนินงาน รอบ 6 เดือน (1 ตุลาคม {c.num(y - 1)} - 31 มีนาคม {c.num(y)})"),
        p("ดำเนินการแล้ว 12 โครงการ อยู่ระหว่างดำเนินการ 8 โครงการ เบิกจ่ายแล้วร้อยละ 46.5"),
    ]


def _results(c: Ctx) -> list[Block]:
    return [
        p("ผลการดำเนินงาน: ดำเนินโครงการแล้วเสร็จ 45 โครงการ จากทั้งหมด 52 โครงการ คิดเป็นร้อยละ 86.54"),
        p("ผลการเบิกจ่าย 18,450,000 บาท ปัญหาอุปสรรค ได้แก่ ฝนตกต่อเนื่อง ข้อเสนอแนะ ควรวางแผนล่วงหน้า"),
    ]


def _steps(c: Ctx) -> list[Block]:
    return [
        p("ขั้นตอนการปฏิบัติงาน"),
        p("1. รับเรื่องและลงทะเบียน 2. ตรวจสอบเอกสาร 3. เสนอผู้บังคับบัญชาพิจารณา 4. แจ้งผล"),
    ]


def _service_details(c: Ctx) -> list[Block]:
    return [
        p("ระยะเวลาการให้บริการ 1 วันทำการ ค่าธรรมเนียม ไม่มี"),
        p("เอกสารหลักฐานที่ต้องใช้ สำเนาบัตรประจำตัวประชาชน สำเนาทะเบียนบ้าน"),
        p("สถานที่ให้บริการ งานทะเบียน วันจันทร์ถึงวันศุกร์ 08.30 - 16.30 น."),
    ]


def _counts(c: Ctx) -> list[Block]:
    rows = [("เดือน", "จำนวน (ราย)")]
    for year, month in c.fy_months()[:6]:
        rows.append((f"{MONTHS[month - 1]} {c.num(year)}", c.num(c.rng.randint(3, 140))))
    return [table(*rows)]


def _summary_fields() -> tuple[str, ...]:
    return (
        "ลำดับที่", "งานที่จัดซื้อหรือจัดจ้าง", "วงเงินที่จะซื้อหรือจ้าง", "ราคากลาง", "วิธีซื้อหรือจ้าง",
        "รายชื่อผู้เสนอราคาและราคาที่เสนอ", "ผู้ได้รับการคัดเลือกและราคาที่ตกลงซื้อหรือจ้าง",
        "เหตุผลที่คัดเลือกโดยสรุป", "เลขที่และวันที่ของสัญญาหรือข้อตกลง",
    )  # fmt: skip


def procurement_month(c: Ctx, year: int, month: int, fields: bool = True) -> list[Block]:
    """One month's สขร.1 summary (a separate document per month, as agencies post them)."""
    blocks = [
        p(f"สรุปผลการดำเนินการจัดซื้อจัดจ้าง ประจำเดือน {MONTHS[month - 1]} {c.num(year)} (แบบ สขร.1)")
    ]
    if fields:
        amount = f"{c.rng.randint(5, 480) * 100:,}.00"
        blocks.append(
            table(
                _summary_fields(),
                (
                    "1",
                    "จัดซื้อวัสดุสำนักงาน",
                    amount,
                    amount,
                    "เฉพาะเจาะจง",
                    f"ร้านศรีสุขพาณิชย์ {amount}",
                    f"ร้านศรีสุขพาณิชย์ {amount}",
                    "ราคาต่ำสุด",
                    f"ใบสั่งซื้อ {c.num(month)}/{c.num(year)}",
                ),
            )  # fmt: skip
        )
    else:
        blocks.append(p("ไม่มีรายละเอียดแนบ"))
    return blocks


def _procurement_report(c: Ctx) -> list[Block]:
    n = c.rng.randint(40, 260)
    return [
        p(f"มีการจัดซื้อจัดจ้าง จำนวน {c.num(n)} โครงการ เป็นจำนวนเงินทั้งสิ้น {n * 51_234:,}.00 บาท"),
        table(("วิธีการ", "จำนวนโครงการ"), ("เฉพาะเจาะจง", c.num(n - 6)), ("e-bidding", c.num(6))),
        p("ปัญหาอุปสรรค ผู้เสนอราคาน้อยราย แนวทางแก้ไข ประชาสัมพันธ์ให้ทั่วถึง"),
    ]


def _hr_topics(c: Ctx) -> list[Block]:
    return [
        p("ด้านการสรรหาและบรรจุแต่งตั้ง ด้านการพัฒนาบุคลากร (ฝึกอบรม ศึกษาดูงาน)"),
        p("ด้านการประเมินผลการปฏิบัติงาน ด้านสวัสดิการและการสร้างขวัญกำลังใจ"),
    ]


def _promotion(c: Ctx) -> list[Block]:
    return [
        p("คำสั่งแต่งตั้งคณะทำงานขับเคลื่อนจริยธรรม และแนวทาง Do & Don't ของเจ้าหน้าที่"),
        p(f"โครงการอบรมคุณธรรมจริยธรรมแก่บุคลากร จัดเมื่อ {c.date(c.year, 2, 14)} ผู้เข้าร่วม 48 คน"),
    ]


def _code(c: Ctx) -> list[Block]:
    return [p(f"ประมวลจริยธรรมของพนักงาน{c.profile.name} ยึดมั่นในสถาบันหลักของประเทศ ซื่อสัตย์สุจริต")]


def _code_text(c: Ctx) -> list[Block]:
    return [
        p("หมวด 1 มาตรฐานจริยธรรม ข้อ 1 ยึดมั่นในสถาบันหลักของประเทศ ข้อ 2 ซื่อสัตย์สุจริต มีจิตสำนึกที่ดี"),
        p("ข้อ 3 กล้าตัดสินใจและกระทำในสิ่งที่ถูกต้องชอบธรรม ข้อ 4 คิดถึงประโยชน์ส่วนรวมมากกว่าส่วนตัว"),
    ]


def _hr_criteria(c: Ctx) -> list[Block]:
    return [
        p("หลักเกณฑ์การบริหารทรัพยากรบุคคล ว่าด้วยการสรรหาและเลือกสรร การบรรจุและแต่งตั้ง"),
        p("การเลื่อนตำแหน่งและการโอนย้าย และการประเมินผลการปฏิบัติงานรอบละ 6 เดือน"),
    ]


def _participation_result(c: Ctx) -> list[Block]:
    return [p("สรุปผลการมีส่วนร่วม: ประชาชนเสนอโครงการ 14 โครงการ บรรจุในแผนพัฒนาแล้ว 9 โครงการ")]


def _gift_report(c: Ctx) -> list[Block]:
    """The gift report of the year before (its own year: the component's period)."""
    return [p(f"รายงานการรับทรัพย์สินหรือประโยชน์อื่นใดโดยธรรมจรรยา {c.fy()}"), *_gifts(c)]


def _ita_analysis(c: Ctx) -> list[Block]:
    return [
        p(f"ผลการประเมิน ITA ปี {c.num(c.year - 1)} ได้คะแนน 87.45 ระดับผ่าน"),
        p("จุดที่ต้องพัฒนา: การเปิดเผยข้อมูลการจัดซื้อจัดจ้างรายเดือน และการจัดการเรื่องร้องเรียน"),
    ]


def _service_statistics(c: Ctx) -> list[Block]:
    """2569 folds the service statistics into the E-Service item, whose title does not say so."""
    return [p(f"ข้อมูลสถิติการให้บริการผ่านช่องทางออนไลน์ {c.fy()}")]


def _ita_actions(c: Ctx) -> list[Block]:
    return [p("แนวทางพัฒนาองค์กร: เผยแพร่ สขร.1 ทุกเดือน และแต่งตั้งผู้รับผิดชอบเรื่องร้องเรียน")]


def _complaint_steps(c: Ctx) -> list[Block]:
    return [p("ขั้นตอน: 1. รับเรื่องร้องเรียน 2. ลงทะเบียนและตรวจสอบข้อเท็จจริง 3. แจ้งผลให้ผู้ร้องทราบ")]


def _responsible(c: Ctx) -> list[Block]:
    return [p(f"หน่วยงานผู้รับผิดชอบ ศูนย์รับเรื่องร้องเรียน {c.profile.units[0]}")]


def _timeframe(c: Ctx) -> list[Block]:
    return [p("ระยะเวลาดำเนินการ แจ้งผู้ร้องภายใน 15 วันทำการ และดำเนินการให้แล้วเสร็จภายใน 30 วัน")]


def _online_channel(c: Ctx) -> list[Block]:
    return [link("แบบฟอร์มแจ้งเรื่องร้องเรียนการทุจริตออนไลน์", c.form("complaint"))]


def _complaint_offline(c: Ctx) -> list[Block]:
    return [p("ร้องเรียนเรื่องการทุจริตและประพฤติมิชอบ ด้วยตนเองหรือทางไปรษณีย์ ถึงผู้บริหารหน่วยงาน")]


def _activity(c: Ctx) -> list[Block]:
    return [p(f"โครงการประชาคมหมู่บ้านเพื่อจัดทำแผนพัฒนา วันที่ {c.date(c.year, 1, 20)} ผู้เข้าร่วม 120 คน")]


def _declaration(c: Ctx) -> list[Block]:
    return [
        p(
            f'ประกาศ{c.profile.name} เรื่อง เจตนารมณ์ "งดรับ งดให้ ของขวัญและของกำนัลทุกชนิด '
            f'จากการปฏิบัติหน้าที่ (No Gift Policy)" ประกาศ ณ วันที่ {c.date(c.year - 1, 10, 9)}'
        )
    ]


def _signer(c: Ctx) -> list[Block]:
    top = c.profile.top
    return [p(f"(ลงชื่อ) {top.name}"), p(top.position)]


def _culture(c: Ctx) -> list[Block]:
    return [p("กิจกรรมสร้างวัฒนธรรมไม่รับของขวัญ ประชุมชี้แจงบุคลากรและติดป้ายรณรงค์ในสำนักงาน")]


def _gifts(c: Ctx) -> list[Block]:
    return [table(("ลำดับ", "ชื่อผู้รับ", "ทรัพย์สินที่ได้รับ", "มูลค่า"), ("-", "ไม่มีการรับทรัพย์สิน", "-", "-"))]


def _risk(c: Ctx) -> list[Block]:
    return [p("ประเด็นความเสี่ยงการเรียกรับสินบนในการอนุมัติ อนุญาต และการจัดซื้อจัดจ้าง")]


def _analysis(c: Ctx) -> list[Block]:
    return [
        table(
            ("ประเด็นความเสี่ยง", "โอกาส", "ผลกระทบ", "ระดับความเสี่ยง"),
            ("การออกใบอนุญาตก่อสร้าง", "3", "4", "สูง"),
            ("การตรวจรับพัสดุ", "2", "3", "ปานกลาง"),
        )
    ]


def _measures(c: Ctx) -> list[Block]:
    return [p("มาตรการส่งเสริมคุณธรรมและความโปร่งใส: เปิดเผยข้อมูลการจัดซื้อจัดจ้าง ป้องกันผลประโยชน์ทับซ้อน")]


def _implementation(c: Ctx) -> list[Block]:
    return [p(f"ผู้รับผิดชอบ {c.profile.units[0]} ระยะเวลาดำเนินการ ตุลาคม - กันยายน ติดตามผลทุกไตรมาส")]


def _online_service(c: Ctx) -> list[Block]:
    return [
        p("บริการออนไลน์ (E-Service) ยื่นคำร้องขอรับบริการผ่านแบบฟอร์มออนไลน์ได้ตลอด 24 ชั่วโมง"),
        link("ยื่นคำร้องออนไลน์ E-Service", c.form("eservice")),
    ]


def _title_only(c: Ctx) -> list[Block]:
    """Components the item's own title states (a report, a plan, a manual): no extra text."""
    return []


WRITERS: dict[str, Writer] = {
    "structure": lambda c: [p(f"แผนผังโครงสร้างส่วนราชการ{c.profile.name}")],
    "units": _units,
    "key_positions": _key_positions,
    "duties": _duties,
    "executives": _executives,
    "top_executive": _title_only,
    "person_name": _title_only,
    "address": lambda c: [_contact_lines(c)["address"]],
    "phone": lambda c: [_contact_lines(c)["phone"]],
    "email": lambda c: [_contact_lines(c)["email"]],
    "qa_channel": _qa,
    "news": lambda c: [p(f"ข่าวประชาสัมพันธ์ {c.profile.name}")],
    "dated": _news,
    "plan": _title_only,
    "plan_content": _plan_content,
    "budget": _projects_table,
    "progress": _progress,
    "report": _title_only,
    "results": _results,
    "manual": _title_only,
    "steps": _steps,
    "service_details": _service_details,
    "statistics": _title_only,
    "counts": _counts,
    "online_service": _online_service,
    "items_list": lambda c: _projects_table(c),
    "amounts": _title_only,
    "announcement": lambda c: [p("ประกาศผู้ชนะการเสนอราคา จัดซื้อวัสดุสำนักงาน โดยวิธีเฉพาะเจาะจง")],
    "procurement": _title_only,
    "months": _title_only,  # the monthly documents carry the months (procurement_month)
    "summary_fields": _title_only,
    "content": _procurement_report,
    "hr_topics": _hr_topics,
    "code": _code,
    "code_text": _code_text,
    "criteria": _hr_criteria,
    "result": _participation_result,
    "gift_report": _gift_report,
    "ita_analysis": _ita_analysis,
    "actions": _ita_actions,
    "service_statistics": _service_statistics,
    "promotion": _promotion,
    "guideline": _title_only,
    "responsible": _responsible,
    "timeframe": _timeframe,
    "complaint": _complaint_offline,
    "corruption": _title_only,
    "online_channel": _online_channel,
    "participation": lambda c: [p("การเปิดโอกาสให้ประชาชนมีส่วนร่วมในการดำเนินงาน")],
    "activity": _activity,
    "declaration": _declaration,
    "no_gift": _title_only,
    "signer": _signer,
    "culture": _culture,
    "gifts": _gifts,
    "risk": _risk,
    "bribery": _title_only,
    "analysis": _analysis,
    "projects": lambda c: _projects_table(c, budget=False),
    "implementation": _implementation,
    "measures": _measures,
    "measures_results": lambda c: [p("ผลการดำเนินการตามมาตรการ ดำเนินการครบทุกมาตรการ ร้อยละ 100")],
}
# Components whose writer is replaced when the item has a sibling that writes the same thing:
# "steps" of a complaint guideline is not the steps of a staff manual.
COMPLAINT_ITEMS_STEPS = _complaint_steps
