"""Generated agency sites with known truth: the accuracy instrument that cannot be tuned to.

``generate_site(seed, rules, out)`` writes one seeded site (``out/site`` with ``routes.toml``)
and its truth (``out/truth.json``); ``measure.evaluate_seeds`` serves each on loopback, audits
it the way ``oit check`` does and compares. The modules, along the data's path:

- ``profile``: the agency (kind, name, people, numbers) and the audit date;
- ``content`` / ``blocks``: what each rule component says, as realistic Thai blocks;
- ``items``: per item a fault, the content year (from the period kind), carriers;
- ``documents``: PDF (Word-like, scanned, legacy text layer), DOCX, XLSX, PNG;
- ``shapes``: CMS URL schemes; ``layout``: how the OIT section is organised;
- ``links``: how hrefs and anchors are written; ``charsets``; ``traps``;
- ``placing``: stores everything, writes the links, derives the truth; ``truth``: the record.

Truth is decided from placement only. An item is **present** when the main site holds every
component for the right period and a working link leads to it; **absent** when a component or
the right year is missing, the item is not published, or its only link is a placeholder or dead
(a dead link also agrees with *uncertain*, the checker's word for "could not open"); **uncertain**
when the only evidence is off-site (Google Drive/Sites, Facebook) or behind a login: an assessor
scores it 0, the checker is built to say uncertain, so *uncertain* and *absent* both agree. A
present item whose only year is in a scan or picture also agrees with *uncertain* (the rules mark
OCR-only years as weak). Every item records mechanism tags (cms, layout, label, href, anchor,
document kind, fault, period, charset, traps) so failures are counted per mechanism.
"""

from oit_checker.generate.site import generate_site
from oit_checker.generate.truth import ItemTruth, SiteTruth

__all__ = ["ItemTruth", "SiteTruth", "generate_site"]
