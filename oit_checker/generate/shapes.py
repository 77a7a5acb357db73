"""CMS families and their URL schemes: where a generated page or file lives on the site.

Each shape names pages and files the way its CMS does (real-sites.md §4.1): Joomla query routes,
WordPress plain (``?page_id=``) or Thai-slug permalinks with ``/wp-content/uploads/YYYY/MM/``,
Drupal ``?q=node/N``, ASP.NET ``Content.aspx?id=``, an old PHP CMS whose files sit behind a
``download.php?id=`` redirector, EWT with ``ewt_dl_link.php?nid=``, and static folders with Thai
file names. A shape only names; the site writer stores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CMS_NAMES = ("joomla", "wp_plain", "wp_thai", "drupal", "aspnet", "oldphp", "ewt", "static")


def slug(title: str, limit: int = 40) -> str:
    """A Thai slug as WordPress makes it: spaces to dashes, punctuation gone, cut short."""
    text = re.sub(r"[^\w\u0e00-\u0e7f]+", "-", title).strip("-")
    return text[:limit].rstrip("-").lower()


@dataclass
class Shape:
    cms: str
    year_ce: int  # upload folders carry the CE year of posting
    redirect_docs: bool = False  # files reached through a download redirector

    def page(self, n: int, title: str, section: str = "page") -> str:
        """The URL path (with query) of page number ``n`` titled ``title``."""
        cms = self.cms
        if cms == "joomla":
            return f"/index.php?option=com_content&view=article&id={n}&Itemid={100 + n % 7}"
        if cms == "wp_plain":
            return f"/?page_id={1000 + n}"
        if cms == "wp_thai":
            return f"/{slug(title)}/"
        if cms == "drupal":
            return f"/?q=th/node/{n}"
        if cms == "aspnet":
            return f"/Content.aspx?id={n}&type={section}"
        if cms == "oldphp":
            return f"/index.php?url={section}&id={n}"
        if cms == "ewt":
            return f"/ewt_news.php?nid={n}"
        return f"/{section}/{n:02d}.html" if section != "page" else f"/page/{slug(title, 30)}.html"

    def file(self, n: int, name: str, ext: str) -> str:
        """Where a document is stored (its real file path)."""
        cms = self.cms
        if cms in ("wp_plain", "wp_thai"):
            return f"/wp-content/uploads/{self.year_ce}/{1 + n % 12:02d}/{name}.{ext}"
        if cms == "joomla":
            return f"/images/ita/{name}.{ext}"
        if cms == "drupal":
            return f"/sites/default/files/{name}.{ext}"
        if cms == "aspnet":
            return f"/Upload/Files/{n:04d}_{name}.{ext}"
        if cms in ("oldphp", "ewt"):
            return f"/fileupload/{n}_{name}.{ext}"
        return f"/files/ita/{name}.{ext}"

    def doc_link(self, n: int) -> str | None:
        """The redirector URL a link uses instead of the file, when the CMS has one."""
        if not self.redirect_docs:
            return None
        if self.cms == "ewt":
            return f"/ewt_dl_link.php?nid={500 + n}"
        return f"/download.php?id={500 + n}"

    @property
    def home(self) -> str:
        return "/"
