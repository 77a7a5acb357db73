"""Write a generated site as files plus ``routes.toml`` for oit_checker.serve.

Plain paths become files at that path (Thai names and spaces included, as servers store them);
paths with a query string or an extension the server does not know go to a stored file behind a
route, with the Content-Type a real server would send. Redirects (download redirectors) and error
statuses are routes too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from oit_checker.serve import EXTRA_TYPES

ROUTED_DIR = "_routed"


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class SiteWriter:
    root: Path
    routes: list[dict[str, object]] = field(default_factory=list)
    paths: set[str] = field(default_factory=set)
    dead: set[str] = field(default_factory=set)  # answer 404 whatever else was stored there

    def _routed_file(self, path: str, data: bytes, ext: str) -> str:
        name = hashlib.sha1(path.encode()).hexdigest()[:16]
        rel = f"{ROUTED_DIR}/{name}.{ext}"
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return rel

    def add(self, path: str, data: bytes, content_type: str, headers: dict | None = None) -> None:
        """Serve ``data`` at ``path`` (path and query, decoded, as links name it)."""
        path = unquote(path)
        if path in self.dead:
            return
        self.paths.add(path)
        parts = urlsplit(path)
        local = parts.path.lstrip("/")
        if local.endswith("/") or not local:
            local += "index.html"
        ext = local.rsplit(".", 1)[-1].lower() if "." in local.rsplit("/", 1)[-1] else ""
        known = f".{ext}" in EXTRA_TYPES or ext in ("png", "jpg")
        if parts.query or not known or headers:
            rel = self._routed_file(path, data, content_type.split("/")[-1].split(";")[0][:5])
            all_headers = {"Content-Type": content_type, **(headers or {})}
            self.routes.append({"path": path, "file": rel, "headers": all_headers})
            return
        target = self.root / local
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def redirect(self, path: str, location: str) -> None:
        self.paths.add(unquote(path))
        # A Location header is ASCII: servers send Thai file names percent-encoded.
        self.routes.append({"path": unquote(path), "redirect": quote(location, safe="/?&=:")})

    def status(self, path: str, code: int) -> None:
        """Answer ``code`` at ``path`` (a dead link): anything stored there is taken away."""
        path = unquote(path)
        self.dead.add(path)
        self.routes = [r for r in self.routes if r["path"] != path]
        local = self.root / urlsplit(path).path.lstrip("/")
        if not urlsplit(path).query and local.is_file():
            local.unlink()
        self.paths.add(path)
        self.routes.append({"path": path, "status": code})

    def finish(self) -> None:
        lines = []
        for route in self.routes:
            lines.append("[[route]]")
            for key, value in route.items():
                if isinstance(value, dict):
                    inner = ", ".join(
                        f"{_toml_string(k)} = {_toml_string(v)}" for k, v in value.items()
                    )
                    lines.append(f"{key} = {{ {inner} }}")
                elif isinstance(value, int):
                    lines.append(f"{key} = {value}")
                else:
                    lines.append(f"{key} = {_toml_string(str(value))}")
            lines.append("")
        (self.root / "routes.toml").write_text("\n".join(lines), encoding="utf-8")
