"""Generated sites that publish the same ministry documents (generate/shared.py): what the
fleet's OCR cache saving is measured on (bench/fleet.py --shared). The files a browser reaches
through each site's own circulars page must be the same bytes on every site, scans among them,
and a site generated without the option must be exactly the site it always was."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import httpx
import pymupdf

from oit_checker.generate import SiteTruth, generate_site
from oit_checker.generate.shared import PAGE_TITLE, document_bytes
from oit_checker.rules import load_year
from oit_checker.serve import SiteServer


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(folder.rglob("*"))
        if f.is_file()
    }


def _text(response: httpx.Response) -> str:
    """A page as its site encoded it (some generated sites are TIS-620, said only in a meta)."""
    try:
        return response.content.decode("utf-8")
    except UnicodeDecodeError:
        return response.content.decode("cp874")


def _shared_files(folder: Path) -> list[bytes]:
    """Serve the site; follow its menu to the circulars page and download what it links."""
    with SiteServer(folder / "site") as server, httpx.Client(follow_redirects=True) as client:
        home = _text(client.get(server.url))
        page = re.search(rf'<a href="([^"]+)">{PAGE_TITLE}</a>', home)
        assert page, "the circulars page is in the menu"
        listing = client.get(httpx.URL(server.url).join(page.group(1).replace("&amp;", "&")))
        hrefs = re.findall(r'<td><a href="([^"]+)">', _text(listing))
        return [
            client.get(httpx.URL(server.url).join(h.replace("&amp;", "&"))).content for h in hrefs
        ]


def test_shared_documents_are_the_same_bytes_on_every_site(tmp_path):
    rules = load_year(2568)
    files = {}
    for seed in (61, 62):
        truth = generate_site(seed, rules, tmp_path / str(seed), shared_share=1.0)
        assert "shared:documents" in truth.mechanisms
        files[seed] = _shared_files(tmp_path / str(seed))
        assert len(files[seed]) >= 3
    issued = {document_bytes(i) for i in range(5)}
    assert set(files[61]) <= issued and set(files[62]) <= issued
    both = set(files[61]) & set(files[62])
    assert both, "two sites listing 3 of 5 documents share at least one"
    scans = [d for d in issued if not pymupdf.open(stream=d, filetype="pdf")[0].get_text().strip()]
    assert len(scans) >= 2, "most shared circulars are scans: read only by OCR"
    assert any(scan in files[61] + files[62] for scan in scans)


def test_without_the_option_a_site_is_unchanged(tmp_path):
    rules = load_year(2568)
    generate_site(63, rules, tmp_path / "default")
    generate_site(63, rules, tmp_path / "zero", shared_share=0.0)
    truth = generate_site(63, rules, tmp_path / "shared", shared_share=1.0)
    default = _digest(tmp_path / "default")
    assert default == _digest(tmp_path / "zero")
    # Sharing only adds: every document of the site stays byte for byte, every item's truth too.
    with_shared = _digest(tmp_path / "shared")
    documents = {k: v for k, v in default.items() if k.endswith((".pdf", ".docx", ".xlsx", ".png"))}
    assert documents and all(with_shared.get(k) == v for k, v in documents.items())
    assert SiteTruth.load(tmp_path / "default" / "truth.json").items == truth.items
