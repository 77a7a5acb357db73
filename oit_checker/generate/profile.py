"""Who the generated agency is: its kind, name, people, address, numbers and audit date.

Every text the generator writes about the agency comes from one Profile, so a site reads as one
agency (an อบต. names a นายก and a ปลัด, a school a ผู้อำนวยการ), and the seed alone decides it.
Names are invented from common Thai given names and surnames; no real person is meant.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

BE_OFFSET = 543

# kind -> (long name prefix, short prefix, top position, deputy position, permanent head, units)
KINDS: dict[str, tuple[str, str, str, str, str, tuple[str, ...]]] = {
    "sao": (
        "องค์การบริหารส่วนตำบล", "อบต.", "นายกองค์การบริหารส่วนตำบล",
        "รองนายกองค์การบริหารส่วนตำบล", "ปลัดองค์การบริหารส่วนตำบล",
        ("สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา ศาสนาและวัฒนธรรม", "กองสาธารณสุขและสิ่งแวดล้อม"),
    ),
    "municipality": (
        "เทศบาลตำบล", "ทต.", "นายกเทศมนตรีตำบล", "รองนายกเทศมนตรีตำบล", "ปลัดเทศบาล",
        ("สำนักปลัดเทศบาล", "กองคลัง", "กองช่าง", "กองสวัสดิการสังคม", "กองการศึกษา"),
    ),
    "school": (
        "โรงเรียน", "รร.", "ผู้อำนวยการโรงเรียน", "รองผู้อำนวยการโรงเรียน", "หัวหน้าฝ่ายบริหารทั่วไป",
        ("กลุ่มบริหารวิชาการ", "กลุ่มบริหารงบประมาณ", "กลุ่มบริหารงานบุคคล", "กลุ่มบริหารทั่วไป"),
    ),
    "hospital": (
        "โรงพยาบาล", "รพ.", "ผู้อำนวยการโรงพยาบาล", "รองผู้อำนวยการฝ่ายการแพทย์",
        "หัวหน้ากลุ่มงานบริหารทั่วไป",
        ("กลุ่มงานบริหารทั่วไป", "กลุ่มงานการพยาบาล", "กลุ่มงานเภสัชกรรม", "กลุ่มงานทันตกรรม", "กลุ่มงานประกันสุขภาพ"),
    ),
}  # fmt: skip
PLACES = [
    ("หนองบัวทอง", "โพนทอง", "ร้อยเอ็ด", "45110", "043"),
    ("ดอนมะเกลือ", "อู่ทอง", "สุพรรณบุรี", "72160", "035"),
    ("ห้วยยาง", "เมือง", "สกลนคร", "47000", "042"),
    ("บ้านเป้า", "เกษตรสมบูรณ์", "ชัยภูมิ", "36120", "044"),
    ("แม่สลองใน", "แม่ฟ้าหลวง", "เชียงราย", "57110", "053"),
    ("ท่าข้าม", "พุนพิน", "สุราษฎร์ธานี", "84130", "077"),
    ("คลองใหม่", "สามพราน", "นครปฐม", "73110", "034"),
    ("นาจาน", "ศรีสงคราม", "นครพนม", "48150", "042"),
    ("โคกสูง", "เมือง", "นครราชสีมา", "30310", "044"),
    ("บางกล่ำ", "บางกล่ำ", "สงขลา", "90110", "074"),
]
GIVEN = [
    "สมชาย", "สมศักดิ์", "วิชัย", "ประเสริฐ", "สุรเชษฐ์", "ธนพล", "อนุชา", "ชัยวัฒน์", "พิชิต", "เกรียงไกร",
    "สุนีย์", "มาลัย", "ผกามาศ", "วรรณา", "กาญจนา", "สุภาพร", "จินตนา", "ปราณี", "รัตนา", "อรทัย",
]  # fmt: skip
SURNAMES = [
    "ใจดี", "ศรีสุข", "บุญมา", "ทองคำ", "แก้วมณี", "สายสุวรรณ", "พรหมวงศ์", "ภู่ประดิษฐ์", "กลางประพันธ์",
    "นิ่มนวล", "บำรุงชัย", "วงศ์ใหญ่", "จันทร์หอม", "สุขเกษม", "มั่นคง", "ศรีวิเศษ",
]  # fmt: skip
MALE_TITLES = ("นาย", "ว่าที่ร้อยตรี", "ดร.")
FEMALE_TITLES = ("นาง", "นางสาว")


@dataclass(frozen=True)
class Person:
    name: str  # with title, e.g. "นายสมชาย ใจดี"
    position: str
    phone: str
    email: str


@dataclass
class Profile:
    """The generated agency and the fiscal year it is audited for."""

    kind: str
    name: str
    short: str
    place: tuple[str, str, str, str, str]
    year: int  # fiscal year (BE) assessed
    as_of: dt.date
    domain: str
    people: list[Person] = field(default_factory=list)
    units: tuple[str, ...] = ()

    @property
    def address(self) -> str:
        tambon, amphoe, province, postcode, _ = self.place
        return f"เลขที่ 99 หมู่ 4 ตำบล{tambon} อำเภอ{amphoe} จังหวัด{province} {postcode}"

    @property
    def phone(self) -> str:
        area = self.place[4]
        return f"0-{area[1:]}{self.place[3][:2]}-{self.place[3][1:4]}1"

    @property
    def email(self) -> str:
        return f"saraban@{self.domain}"

    @property
    def top(self) -> Person:
        return self.people[0]


def _person(rng: random.Random, position: str, domain: str, n: int) -> Person:
    female = rng.random() < 0.4
    title = rng.choice(FEMALE_TITLES if female else MALE_TITLES)
    given = rng.choice(GIVEN[10:] if female else GIVEN[:10])
    mobile = f"08{rng.randint(1, 9)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    return Person(f"{title}{given} {rng.choice(SURNAMES)}", position, mobile, f"exec{n}@{domain}")


def make_profile(rng: random.Random, year: int) -> Profile:
    """A random agency audited for ``year``: after the year closed, or late in it (July)."""
    kind = rng.choice(sorted(KINDS))
    long_prefix, short_prefix, top, deputy, head, units = KINDS[kind]
    place = rng.choice(PLACES)
    domain = f"{rng.choice(['nongbua', 'donmakluea', 'huaiyang', 'banpao', 'thakham'])}{rng.randint(1, 99)}.go.th"
    ce = year - BE_OFFSET
    as_of = dt.date(ce, 10, 15) if rng.random() < 0.7 else dt.date(ce, 7, 10)
    profile = Profile(
        kind=kind,
        name=f"{long_prefix}{place[0]}",
        short=f"{short_prefix}{place[0]}",
        place=place,
        year=year,
        as_of=as_of,
        domain=domain,
        units=units,
    )
    positions = [top, deputy, deputy if kind in ("sao", "municipality") else head, head]
    profile.people = [_person(rng, pos, domain, i) for i, pos in enumerate(positions)]
    return profile
