"""Generate a deterministic synthetic Thai agency site for benchmarks.

Why: the demo fixture has ~60 resources; throughput, memory and incremental-audit figures need
sites of 500-20,000 pages that look like real อบต. sites (menus, a paginated news archive with
dated Thai news, an ITA 2568 hub linking evidence pages and PDFs). PDFs are copied from
fixtures/demo so the documents are real Thai PDFs (one of them scanned, needing OCR); each copy
gets a unique trailing comment after %%EOF so content-hash caches do not collapse them.

    python bench/gensite.py --pages 5000 --out /tmp/site5000
"""

from __future__ import annotations

import argparse
import html
import random
import shutil
from pathlib import Path

DEMO_FILES = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "site" / "files"
SCANNED_NAME = "Scan2567-10-28_093012.pdf"
NEWS_PER_PAGE = 20
# Archive pager: neighbours within 12 plus every 25th page, so any news page is <= 4 clicks deep
# (the crawler's default max_depth is 8; a bare prev/next pager would put 20,000 pages at depth
# 500, which no crawler of ours or Scrapy's defaults would treat alike).
MAX_SCANNED_COPIES = 4  # OCR is seconds per page; a few scanned copies are realistic enough
THAI_MONTHS = [
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
]  # fmt: skip
NEWS_TOPICS = [
    "ประชาสัมพันธ์การชำระภาษีที่ดินและสิ่งปลูกสร้าง",
    "โครงการส่งเสริมอาชีพกลุ่มสตรี",
    "รณรงค์ป้องกันและควบคุมโรคไข้เลือดออก",
    "ประกาศรับสมัครเด็กเล็กเข้าศูนย์พัฒนาเด็กเล็ก",
    "ประกาศผู้ชนะการเสนอราคาโครงการก่อสร้างถนนคอนกรีตเสริมเหล็ก",
    "การประชุมสภาองค์การบริหารส่วนตำบล สมัยสามัญ",
    "กิจกรรมวันท้องถิ่นไทย",
    "โครงการฝึกอบรมคุณธรรมจริยธรรมแก่บุคลากร",
]
MENU = [
    ("/index.html", "หน้าหลัก"),
    ("/about/index.html", "ข้อมูลทั่วไป"),
    ("/about/structure.html", "โครงสร้างองค์กร"),
    ("/about/duties.html", "อำนาจหน้าที่"),
    ("/executives.html", "ข้อมูลผู้บริหาร"),
    ("/news/page-1.html", "ข่าวประชาสัมพันธ์"),
    ("/plan/index.html", "แผนงาน"),
    ("/procurement/index.html", "จัดซื้อจัดจ้าง"),
    ("/ita/index.html", "ITA 2568"),
    ("/contact.html", "ติดต่อเรา"),
]
STATIC_PAGES = {
    "about/index.html": "ข้อมูลทั่วไป",
    "about/structure.html": "โครงสร้างองค์กร",
    "about/duties.html": "อำนาจหน้าที่",
    "executives.html": "ข้อมูลผู้บริหาร",
    "plan/index.html": "แผนพัฒนาท้องถิ่น",
    "procurement/index.html": "ประกาศจัดซื้อจัดจ้าง",
    "contact.html": "ติดต่อเรา",
}
ITA_ITEMS = 33  # O1..O33 of the 2568 instrument
FILLER = (
    "องค์การบริหารส่วนตำบลหนองบัวทองมุ่งมั่นพัฒนาคุณภาพชีวิตของประชาชนในพื้นที่ "
    "ให้บริการสาธารณะอย่างโปร่งใส ตรวจสอบได้ และเปิดโอกาสให้ประชาชนมีส่วนร่วม "
)


def _page(title: str, body: str) -> str:
    menu = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in MENU)
    return (
        '<!DOCTYPE html>\n<html lang="th"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} | อบต.หนองบัวทอง</title></head><body>"
        f'<header><nav class="main-menu"><ul>{menu}</ul></nav></header>'
        f"<main><h1>{html.escape(title)}</h1>{body}</main>"
        "<footer>องค์การบริหารส่วนตำบลหนองบัวทอง โทรศัพท์ 0-4312-3456 "
        '<a href="/contact.html">ติดต่อเรา</a></footer></body></html>\n'
    )


def _source_pdfs() -> tuple[list[Path], Path]:
    pdfs = sorted(p for p in DEMO_FILES.rglob("*.pdf") if p.name != SCANNED_NAME)
    scanned = next(DEMO_FILES.rglob(SCANNED_NAME))
    return pdfs, scanned


def generate(pages: int, out: Path, seed: int = 2568) -> dict[str, int]:
    """Write a site of about ``pages`` HTML pages to ``out``; returns counts."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "files").mkdir(parents=True)
    written: dict[str, str] = {}

    # Documents: a few hundred, scaled with the site; a handful are scanned copies.
    n_pdfs = max(40, min(400, pages // 12))
    text_pdfs, scanned = _source_pdfs()
    pdf_urls: list[str] = []
    for i in range(n_pdfs):
        source = scanned if i % (n_pdfs // MAX_SCANNED_COPIES) == 7 else rng.choice(text_pdfs)
        name = f"files/2568/doc-{i:04d}-{source.stem}.pdf"
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        # Unique trailer after %%EOF: readers ignore it, content hashes differ.
        target.write_bytes(source.read_bytes() + f"\n% bench copy {i}\n".encode())
        pdf_urls.append("/" + name)

    # ITA hub + one evidence page per item, each linking 2-4 PDFs.
    hub_rows = []
    for item in range(1, ITA_ITEMS + 1):
        docs = rng.sample(pdf_urls, rng.randint(2, 4))
        links = "".join(
            f'<li><a href="{d}">เอกสารหลักฐาน {d.rsplit("/", 1)[-1]}</a></li>' for d in docs
        )
        written[f"ita/o{item}.html"] = _page(
            f"O{item} ข้อมูลการเปิดเผยข้อมูลสาธารณะ ปี 2568", f"<p>{FILLER}</p><ul>{links}</ul>"
        )
        hub_rows.append(
            f'<tr><td>O{item}</td><td><a href="/ita/o{item}.html">รายละเอียด O{item}</a></td></tr>'
        )
    written["ita/index.html"] = _page(
        "การประเมินคุณธรรมและความโปร่งใส (ITA) ประจำปี 2568",
        f"<table>{''.join(hub_rows)}</table>",
    )

    for path, title in STATIC_PAGES.items():
        written[path] = _page(title, f"<p>{FILLER * 3}</p>")

    # News: everything else; paginated archive, 20 per page, each news page dated in Thai.
    fixed = len(written) + 1  # + home
    n_news = max(20, int((pages - fixed) * NEWS_PER_PAGE / (NEWS_PER_PAGE + 1)))
    n_index = -(-n_news // NEWS_PER_PAGE)
    docs_left = [d for d in pdf_urls if rng.random() < 0.6]  # the rest hang off ITA pages only
    news_rows: list[str] = []
    for i in range(n_news):
        year = 2568 - i // 400
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        date = f"{day} {THAI_MONTHS[month - 1]} {year}"
        title = f"{rng.choice(NEWS_TOPICS)} ครั้งที่ {i + 1}"
        attach = ""
        if docs_left and rng.random() < 0.15:
            doc = docs_left.pop()
            attach = f'<p>ดาวน์โหลด: <a href="{doc}">เอกสารแนบ</a></p>'
        path = f"news/{year}/n{i + 1}.html"
        written[path] = _page(
            title,
            f'<p class="news-date">{date}</p><p>{FILLER * rng.randint(1, 4)}</p>{attach}',
        )
        news_rows.append(
            f'<li><span class="news-date">{date}</span><a href="/{path}">{title}</a></li>'
        )
    for k in range(1, n_index + 1):
        rows = news_rows[(k - 1) * NEWS_PER_PAGE : k * NEWS_PER_PAGE]
        pager = " ".join(
            f'<a href="/news/page-{j}.html">{j}</a>'
            for j in sorted(
                ({1, n_index} | set(range(k - 12, k + 13)) | set(range(25, n_index, 25)))
                & set(range(1, n_index + 1)) - {k}
            )
        )
        written[f"news/page-{k}.html"] = _page(
            f"ข่าวประชาสัมพันธ์ หน้า {k}", f"<ul>{''.join(rows)}</ul><p>{pager}</p>"
        )

    latest = "".join(news_rows[:10])
    written["index.html"] = _page(
        "องค์การบริหารส่วนตำบลหนองบัวทอง",
        f'<p><a href="/ita/index.html">ITA 2568</a></p><ul>{latest}</ul>'
        '<p><a href="/news/page-1.html">ดูข่าวทั้งหมด</a></p>',
    )
    for path, text in written.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (out / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")
    return {"pages": len(written), "pdfs": n_pdfs, "resources": len(written) + n_pdfs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2568)
    args = parser.parse_args()
    counts = generate(args.pages, args.out, args.seed)
    print(f"{args.out}: {counts['pages']} pages, {counts['pdfs']} PDFs")


if __name__ == "__main__":
    main()
