"""Documents many agencies publish byte for byte: a ministry's circulars and an NACC notice.

Why: the fleet's OCR cache is keyed by the content hash, so a scanned circular the Department
of Local Administration (สถ.) sends to every local government, which each one posts under its own
"หนังสือสั่งการ" menu, is OCR'd once for the whole fleet. Generated sites draw every document
from their own agency, so without this no two sites share one and the saving cannot be measured.

``add_shared(build, share)``: with probability ``share`` (drawn from a random stream of its own,
so a seed's site is unchanged apart from this page and its menu entry) the site lists some of
``DOCUMENTS`` on a circulars page, each stored under the site's own file path. The bytes are the
same on every site (fixed metadata, no per-site text). The subjects are no OIT item's, so the
truth of every item is unchanged.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from oit_checker.generate import documents
from oit_checker.generate.blocks import Block, h, p
from oit_checker.generate.shapes import slug

if TYPE_CHECKING:
    from oit_checker.generate.site import Build

PAGE_TITLE = "หนังสือสั่งการ"
MIN_LINKED = 3  # a sharing site lists at least this many of DOCUMENTS


@dataclass(frozen=True)
class SharedDocument:
    kind: str  # a documents.RENDERERS kind: how the issuer's copy was made (most are scans)
    issuer: str
    number: str
    date: str
    subject: str
    paragraphs: tuple[str, ...]


DLA = "กรมส่งเสริมการปกครองท้องถิ่น ถนนนครราชสีมา เขตดุสิต กรุงเทพฯ 10300"
DOCUMENTS = (
    SharedDocument(
        "pdf_scanned",
        DLA,
        "ที่ มท 0816.3/ว 2145",
        "12 มิถุนายน 2567",
        "การเตรียมความพร้อมป้องกันและบรรเทาสาธารณภัยในช่วงฤดูฝน",
        (
            "ด้วยกรมอุตุนิยมวิทยาคาดการณ์ว่าในช่วงเดือนกรกฎาคมถึงเดือนตุลาคม จะมีฝนตกหนักถึงหนักมาก"
            " ในหลายพื้นที่ อาจทำให้เกิดน้ำท่วมฉับพลัน น้ำป่าไหลหลาก และดินโคลนถล่ม",
            "กรมส่งเสริมการปกครองท้องถิ่นจึงขอให้องค์กรปกครองส่วนท้องถิ่นสำรวจและซ่อมแซมคูคลอง ท่อระบายน้ำ"
            " และประตูระบายน้ำให้ใช้การได้ จัดเตรียมเครื่องสูบน้ำ กระสอบทราย เรือท้องแบน และรถบรรทุกน้ำ"
            " ให้พร้อมใช้งานตลอดเวลา",
            "ให้จัดตั้งศูนย์ปฏิบัติการป้องกันและบรรเทาสาธารณภัยประจำพื้นที่ ประสานอาสาสมัครป้องกันภัยฝ่ายพลเรือน"
            " และแจ้งเตือนประชาชนผ่านหอกระจายข่าวและเสียงตามสายเมื่อระดับน้ำสูงขึ้น",
            "หากเกิดสาธารณภัยให้ให้ความช่วยเหลือผู้ประสบภัยเบื้องต้นตามระเบียบกระทรวงมหาดไทยว่าด้วยค่าใช้จ่าย"
            " เพื่อช่วยเหลือประชาชนตามอำนาจหน้าที่ขององค์กรปกครองส่วนท้องถิ่น และรายงานจังหวัดทราบโดยเร็ว",
            "จึงเรียนมาเพื่อโปรดพิจารณาแจ้งองค์กรปกครองส่วนท้องถิ่นในพื้นที่ถือปฏิบัติต่อไป",
        ),
    ),
    SharedDocument(
        "pdf_scanned",
        DLA,
        "ที่ มท 0819.3/ว 1877",
        "3 พฤษภาคม 2567",
        "การป้องกันและควบคุมโรคไข้เลือดออก",
        (
            "ด้วยกรมควบคุมโรคแจ้งว่าจำนวนผู้ป่วยโรคไข้เลือดออกมีแนวโน้มสูงขึ้นเมื่อเข้าสู่ฤดูฝน"
            " โดยเฉพาะในกลุ่มเด็กนักเรียนและวัยทำงาน",
            "ขอให้องค์กรปกครองส่วนท้องถิ่นรณรงค์กำจัดแหล่งเพาะพันธุ์ยุงลายตามมาตรการ 3 เก็บ ได้แก่ เก็บบ้าน"
            " เก็บขยะ และเก็บน้ำ ในชุมชน วัด โรงเรียน และศูนย์พัฒนาเด็กเล็ก อย่างน้อยสัปดาห์ละหนึ่งครั้ง",
            "ให้ร่วมกับโรงพยาบาลส่งเสริมสุขภาพตำบลและอาสาสมัครสาธารณสุขประจำหมู่บ้าน พ่นหมอกควันกำจัดยุงตัวเต็มวัย"
            " ในรัศมี 100 เมตรรอบบ้านผู้ป่วยภายใน 24 ชั่วโมงหลังได้รับแจ้ง",
            "จึงเรียนมาเพื่อโปรดพิจารณาแจ้งองค์กรปกครองส่วนท้องถิ่นดำเนินการต่อไป",
        ),
    ),
    SharedDocument(
        "pdf_scanned",
        "กระทรวงมหาดไทย ถนนอัษฎางค์ กรุงเทพฯ 10200",
        "ที่ มท 0808.3/ว 3310",
        "20 กันยายน 2567",
        "การจัดเก็บภาษีที่ดินและสิ่งปลูกสร้าง",
        (
            "ตามพระราชบัญญัติภาษีที่ดินและสิ่งปลูกสร้าง พ.ศ. 2562 กำหนดให้องค์กรปกครองส่วนท้องถิ่นเป็นผู้จัดเก็บภาษี"
            " โดยสำรวจที่ดินและสิ่งปลูกสร้าง จัดทำบัญชีรายการที่ดินและสิ่งปลูกสร้าง และประกาศราคาประเมินทุนทรัพย์",
            "ขอให้องค์กรปกครองส่วนท้องถิ่นส่งแบบแจ้งการประเมินภาษีให้ผู้เสียภาษีภายในเดือนกุมภาพันธ์"
            " และรับชำระภาษีภายในเดือนเมษายน ผู้เสียภาษีอาจขอผ่อนชำระเป็นสามงวดเท่า ๆ กันได้",
            "ให้ประชาสัมพันธ์กำหนดเวลาชำระภาษีและอัตราภาษีให้ประชาชนทราบอย่างทั่วถึง",
            "จึงเรียนมาเพื่อทราบและถือปฏิบัติ",
        ),
    ),
    SharedDocument(
        "pdf_legacy",
        "สำนักงานคณะกรรมการป้องกันและปราบปรามการทุจริตแห่งชาติ",
        "ที่ ปช 0011/ว 0052",
        "8 มกราคม 2567",
        "การยื่นบัญชีแสดงรายการทรัพย์สินและหนี้สินของเจ้าพนักงานของรัฐ",
        (
            "ตามพระราชบัญญัติประกอบรัฐธรรมนูญว่าด้วยการป้องกันและปราบปรามการทุจริต พ.ศ. 2561"
            " เจ้าพนักงานของรัฐตามที่คณะกรรมการ ป.ป.ช. ประกาศกำหนดต้องยื่นบัญชีแสดงรายการทรัพย์สินและหนี้สิน"
            " ของตน คู่สมรส และบุตรที่ยังไม่บรรลุนิติภาวะ",
            "การยื่นบัญชีให้ยื่นภายใน 30 วันนับแต่วันเข้ารับตำแหน่ง วันพ้นจากตำแหน่ง และเมื่อพ้นจากตำแหน่งครบหนึ่งปี"
            " โดยยื่นผ่านระบบอิเล็กทรอนิกส์หรือยื่นด้วยตนเอง",
            "จึงเรียนมาเพื่อโปรดแจ้งผู้มีหน้าที่ยื่นบัญชีในสังกัดทราบ",
        ),
    ),
    SharedDocument(
        "pdf",
        DLA,
        "ที่ มท 0820.2/ว 4102",
        "15 พฤศจิกายน 2567",
        "การรณรงค์ลดและคัดแยกขยะมูลฝอยตั้งแต่ต้นทาง",
        (
            "ตามที่รัฐบาลกำหนดให้การจัดการขยะมูลฝอยเป็นวาระแห่งชาติ กรมส่งเสริมการปกครองท้องถิ่นขอให้"
            " องค์กรปกครองส่วนท้องถิ่นส่งเสริมให้ครัวเรือนคัดแยกขยะอินทรีย์ ขยะรีไซเคิล และขยะอันตราย",
            "ให้จัดตั้งธนาคารขยะในชุมชนและโรงเรียน จัดจุดรับขยะอันตรายอย่างน้อยหมู่บ้านละหนึ่งจุด"
            " และส่งเสริมการทำปุ๋ยหมักจากเศษอาหาร",
            "จึงเรียนมาเพื่อโปรดพิจารณาดำเนินการ",
        ),
    ),
)


def _blocks(doc: SharedDocument) -> list[Block]:
    head = [p(doc.number), p(doc.issuer), p(doc.date), h(f"เรื่อง {doc.subject}")]
    return head + [p(text) for text in doc.paragraphs]


@cache
def document_bytes(index: int) -> bytes:
    """The issuer's file, rendered once per process: the same bytes for every site."""
    doc = DOCUMENTS[index]
    return documents.render(doc.kind, _blocks(doc), doc.subject)


def add_shared(build: Build, share: float) -> None:
    """List some shared documents on a circulars page of ``build``'s site, with probability
    ``share``."""
    rng = random.Random(f"oit-generate-shared:{build.seed}:{build.rules.year}")
    if share <= 0 or rng.random() >= share:
        return
    chosen = sorted(rng.sample(range(len(DOCUMENTS)), rng.randint(MIN_LINKED, len(DOCUMENTS))))
    rows = []
    for index in chosen:
        doc = DOCUMENTS[index]
        n = build.next()
        path = build.unique(build.shape.file(n, slug(doc.subject, 50), "pdf"))
        build.writer.add(path, document_bytes(index), "application/pdf")
        link = build.shape.doc_link(n) or path
        if link != path:
            build.writer.redirect(link, path)
        rows.append(
            f"<tr><td>{html.escape(doc.number)}</td><td>{html.escape(doc.date)}</td>"
            f'<td><a href="{html.escape(link)}">{html.escape(doc.subject)}</a></td></tr>'
        )
    page = build.unique(build.shape.page(build.next(), PAGE_TITLE, "circular"))
    body = f'<table border="1"><tr><th>เลขที่</th><th>ลงวันที่</th><th>เรื่อง</th></tr>{"".join(rows)}</table>'
    build.write_page(page, PAGE_TITLE, body)
    build.menu.append((page, PAGE_TITLE))
    build.site_tags.append("shared:documents")
