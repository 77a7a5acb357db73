"""`oit serve`: the officer's local web page. Starlette routes over the same store, history and
output modules the CLI uses; every audit runs in its own `oit check` process (jobs.py).

HTTP contract (issue 17, kept stable): ``POST /audits`` (form url, year, as_of) → 303
``/audits/{id}``; ``GET /audits/{id}`` the page; ``GET /audits/{id}.json`` the JSON contract of
`oit check --json` plus ``"state"``; ``/audits/{id}/sheet.xlsx``, ``sheet.csv``,
``report.html``; ``GET /sites`` the history; ``GET /batches[?batch=NAME]`` the nightly fleet's
batch (queued, running, done, failed). A stored run (also one the CLI made) has the same
pages under ``/runs/{run_id}``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from oit_checker.audit import check_start_url
from oit_checker.errors import OitError
from oit_checker.fleet.status import batch_status
from oit_checker.history import (
    EMPTY_SCORES,
    complete_result,
    diff_runs,
    list_runs,
    previous_run,
    run_result,
    with_manual_checks,
)
from oit_checker.output.html import CSS as REPORT_CSS
from oit_checker.output.html import render_html
from oit_checker.output.labels import (
    KIND_TH,
    RULE_STATUS_TH,
    by_subindicator,
    rule_labels,
    status_th,
)
from oit_checker.output.sheet import write_csv, write_xlsx
from oit_checker.rules import default_year, shipped_years
from oit_checker.settings import SETTINGS
from oit_checker.urls import display_url
from oit_checker.verify import read_answers
from oit_checker.web.jobs import Audits
from oit_checker.web.results import fix_first, trend_svg, what_if
from oit_checker.web.security import Forbidden, Guard, check_form, csrf_token

HERE = Path(__file__).parent
SHEET_SUFFIXES = (".csv", ".xlsx")
UPLOAD_SLACK = 64 * 1024  # multipart headers and the form's other fields
RUN_STATUS_TH = {
    "complete": "ตรวจครบ",
    "incomplete": "ตรวจไม่ครบ",
    "interrupted": "หยุดกลางคัน",
    "running": "กำลังตรวจ",
    "failed": "ตรวจไม่ได้",
}
VERIFY_TH = {
    "ok": "ใช้ได้",
    "wrong": "ไม่ถูกต้อง",
    "uncertain": "ไม่แน่ใจ",
    "missing-url": "ไม่มี URL",
    "not-answered": "ยังไม่ได้ตอบ",
}


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _href(url: str) -> str:
    """Only http(s) addresses become links (text comes from audited websites)."""
    return url if urlsplit(url or "").scheme in ("http", "https") else ""


def _short(url: str, site: str) -> str:
    """An address as the page shows it: its path on the audited site (the host is in the
    header), "หน้าแรก" for the home page, else the whole address; decoded, as browsers show."""
    parts, home = urlsplit(url or ""), urlsplit(site or "")
    if (parts.scheme, parts.netloc) != (home.scheme, home.netloc):
        return display_url(url)
    if parts.path in ("", "/") and not parts.query:
        return "หน้าแรก"
    shown = urlsplit(display_url(url))
    return (shown.path or "/") + (f"?{shown.query}" if shown.query else "")


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.filters.update(
        num=_num,
        short=_short,
        run_status_th=lambda s: RUN_STATUS_TH.get(s, s),
        status_th=status_th,
        display_url=display_url,
        href=_href,
        kind_th=lambda k: KIND_TH.get(k, k),
        verify_th=lambda s: VERIFY_TH.get(s, s),
    )
    env.globals.update(rule_status_th=RULE_STATUS_TH, csrf=csrf_token)
    return templates


async def start_url(text: str) -> str:
    """The site's address as typed: "www.x.go.th" without http is tried as https first, and
    as http when https does not answer (many small agencies still serve plain HTTP)."""
    text = text.strip()
    if "://" in text:
        return check_start_url(text)
    candidate = check_start_url(f"https://{text}")
    try:
        async with httpx.AsyncClient(timeout=5, verify=False) as client:
            await client.head(candidate)
        return candidate
    except httpx.HTTPError:
        return check_start_url(f"http://{text}")


class Web:
    """The handlers, over one database."""

    def __init__(
        self, db: str | Path, max_upload_mb: float = 2.0, data_dir: Path | None = None
    ) -> None:
        self.audits = Audits(db, data_dir)
        self.templates = make_templates()
        self.max_upload = int(max_upload_mb * 1024 * 1024)

    def page(self, request: Request, name: str, status: int = 200, **context) -> Response:
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    def error(self, request: Request, message: str, status: int = 400) -> Response:
        return self.page(request, "error.html", status, message=message)

    # ---- start -----------------------------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        return self.start_form(request)

    def start_form(self, request: Request, error: str = "", form: dict | None = None) -> Response:
        form = form or {}
        return self.page(
            request,
            "index.html",
            400 if error else 200,
            error=error,
            url=form.get("url", ""),
            year=int(form.get("year") or default_year()),
            years=shipped_years(),
            as_of=form.get("as_of") or dt.date.today().isoformat(),
            recent=list_runs(self.audits.store())[:10],
        )

    async def start(self, request: Request) -> Response:
        form = await request.form()
        check_form(request, form)
        values = {k: str(form.get(k) or "").strip() for k in ("url", "year", "as_of")}
        try:
            if not values["url"]:
                raise OitError("กรุณากรอกที่อยู่เว็บไซต์ (enter the site's address)")
            url = await start_url(values["url"])
            year = int(values["year"]) if values["year"] else None
            if year is not None and year not in shipped_years():
                raise OitError(f"ไม่มีเกณฑ์ของปีงบประมาณ {year} (no rule set for {year})")
            as_of = SETTINGS["as_of"].check(values["as_of"] or None, "as_of")
        except (OitError, ValueError) as exc:
            return self.start_form(request, getattr(exc, "message", str(exc)), values)
        running = self.audits.running_for(url)
        audit_id = running or self.audits.start(url, year, as_of.isoformat() if as_of else "")
        return RedirectResponse(f"/audits/{audit_id}", status_code=303)

    # ---- one audit -------------------------------------------------------------------------------
    async def audit_page(self, request: Request) -> Response:
        audit_id = request.path_params["audit_id"]
        row, progress = self.audits.row(audit_id), self.audits.progress(audit_id)
        if row is None or progress is None:
            return self.error(request, f"ไม่มีการตรวจ #{audit_id} (no audit #{audit_id})", 404)
        if request.headers.get("x-fragment"):
            return self.page(request, "_progress.html", audit=row, progress=progress)
        if row["kind"] == "verify" and progress.state == "complete":
            verdicts = (self.audits.output(audit_id) or {}).get("verdicts", [])
            return self.page(
                request, "verify.html", audit=row, progress=progress, verdicts=verdicts
            )
        if progress.state == "complete" and progress.run_id:
            return self.result_page(request, progress.run_id, audit=row)
        return self.page(request, "audit.html", audit=row, progress=progress)

    async def audit_json(self, request: Request) -> Response:
        audit_id = request.path_params["audit_id"]
        row, progress = self.audits.row(audit_id), self.audits.progress(audit_id)
        if row is None or progress is None:
            return JSONResponse({"error": f"no audit #{audit_id}"}, status_code=404)
        store = self.audits.store()
        if progress.state == "complete" and progress.run_id:
            data = with_manual_checks(store, run_result(store, progress.run_id))
        else:
            data = {
                "site": row["url"],
                "year": row["year"],
                "as_of": row["as_of"],
                "run_id": progress.run_id,
                "items": [],
                "scores": dict(EMPTY_SCORES),
                "stats": {},
            }
            if progress.run_id and progress.state != "running":
                data = run_result(store, progress.run_id)
        data["state"] = progress.state
        data["progress"] = {
            "pages": progress.pages,
            "documents": progress.documents,
            "phase": progress.phase,
        }
        if progress.error:
            data["error"] = progress.error
        if row["kind"] == "verify":
            data["verify"] = (self.audits.output(audit_id) or {}).get("verdicts", [])
        return JSONResponse(data)

    async def cancel(self, request: Request) -> Response:
        check_form(request, await request.form())
        audit_id = request.path_params["audit_id"]
        self.audits.cancel(audit_id)
        return RedirectResponse(f"/audits/{audit_id}", status_code=303)

    async def resume(self, request: Request) -> Response:
        check_form(request, await request.form())
        row = self.audits.row(request.path_params["audit_id"])
        if row is None:
            return self.error(request, "ไม่มีการตรวจนี้ (no such audit)", 404)
        new_id = self.audits.running_for(row["url"]) or self.audits.start(
            row["url"], row["year"], "", resume=True
        )
        return RedirectResponse(f"/audits/{new_id}", status_code=303)

    def _audit_run(self, request: Request) -> int | None:
        if "run_id" in request.path_params:
            return request.path_params["run_id"]
        progress = self.audits.progress(request.path_params["audit_id"])
        return progress.run_id if progress and progress.state == "complete" else None

    # ---- results ---------------------------------------------------------------------------------
    def result_page(self, request: Request, run_id: int, audit: dict | None = None) -> Response:
        store = self.audits.store()
        try:
            result = with_manual_checks(store, complete_result(store, run_id))
        except OitError as exc:
            return self.error(request, exc.message, 404)
        fixed = [f for f in request.query_params.getlist("fix") if f]
        previous = previous_run(store, run_id)
        return self.page(
            request,
            "result.html",
            audit=audit,
            result=result,
            labels=rule_labels(result),
            groups=by_subindicator(result),
            fix_first=fix_first(store, result),
            fixed=fixed,
            whatif=what_if(store, result, fixed) if fixed else None,
            previous=previous,
            base=f"/audits/{audit['id']}" if audit else f"/runs/{run_id}",
            max_upload_mb=self.max_upload / 1024 / 1024,
        )

    async def run_page(self, request: Request) -> Response:
        return self.result_page(request, request.path_params["run_id"])

    async def whatif_fragment(self, request: Request) -> Response:
        store = self.audits.store()
        run_id = request.path_params["run_id"]
        try:
            result = complete_result(store, run_id)
        except OitError as exc:
            return self.error(request, exc.message, 404)
        fixed = [f for f in request.query_params.getlist("fix") if f]
        return self.page(
            request,
            "_whatif.html",
            result=result,
            fixed=fixed,
            whatif=what_if(store, result, fixed) if fixed else None,
        )

    async def download(self, request: Request) -> Response:
        run_id = self._audit_run(request)
        if run_id is None:
            return self.error(request, "การตรวจยังไม่เสร็จ (the audit is not complete)", 409)
        store = self.audits.store()
        try:
            result = with_manual_checks(store, complete_result(store, run_id))
        except OitError as exc:
            return self.error(request, exc.message, 404)
        name = request.path_params["name"]
        if name == "report.html":
            previous = previous_run(store, run_id)
            before = run_result(store, previous) if previous is not None else None
            return HTMLResponse(render_html(result, before))
        writers = {"sheet.xlsx": write_xlsx, "sheet.csv": write_csv}
        if name not in writers:
            return self.error(request, "ไม่มีไฟล์นี้ (no such file)", 404)
        target = Path(tempfile.mkdtemp(prefix="oit-sheet-")) / f"oit-sheet-{run_id}.{name[6:]}"
        writers[name](result, target)
        media = {
            "sheet.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "sheet.csv": "text/csv; charset=utf-8",
        }[name]
        return FileResponse(target, media_type=media, filename=target.name)

    async def manual(self, request: Request) -> Response:
        form = await request.form()
        check_form(request, form)
        run_id, item_id = request.path_params["run_id"], request.path_params["item_id"]
        store = self.audits.store()
        items = {i["item_id"] for i in store.items(run_id)}
        if item_id not in items:
            return self.error(request, f"รอบ #{run_id} ไม่มีข้อ {item_id}", 404)
        answer = str(form.get("answer") or "")
        if answer == "clear":
            store.clear_manual_check(run_id, item_id)
        elif answer in ("present", "absent"):
            url = str(form.get("url") or "").strip()
            if url and not _href(url):
                return self.error(request, "URL ต้องขึ้นต้นด้วย http:// หรือ https://")
            note = str(form.get("note") or "")[:500]
            store.set_manual_check(run_id, item_id, answer, note, url[:2000])
        else:
            return self.error(request, "เลือก มี หรือ ไม่มี (choose present or absent)")
        back = str(form.get("back") or f"/runs/{run_id}")
        if not back.startswith("/") or back.startswith("//"):
            back = f"/runs/{run_id}"
        return RedirectResponse(f"{back}#{item_id}", status_code=303)

    # ---- check an answer sheet before submitting ------------------------------------------------
    async def verify(self, request: Request) -> Response:
        length = int(request.headers.get("content-length") or 0)
        if not length or length > self.max_upload + UPLOAD_SLACK:
            return self.error(
                request, f"ไฟล์ใหญ่เกิน {self.max_upload // (1024 * 1024)} MB (upload too large)", 413
            )
        form = await request.form(max_files=1, max_fields=5)
        check_form(request, form)
        upload = form.get("sheet")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return self.error(request, "กรุณาเลือกไฟล์แบบฟอร์มคำตอบ (choose the answer sheet)")
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in SHEET_SUFFIXES:
            return self.error(request, "รับเฉพาะไฟล์ .xlsx หรือ .csv (only .xlsx or .csv)", 415)
        body = await upload.read(self.max_upload + 1)
        if len(body) > self.max_upload:
            return self.error(request, "ไฟล์ใหญ่เกินกำหนด (upload too large)", 413)
        store = self.audits.store()
        run = store.run_with_site(request.path_params["run_id"])
        if run is None:
            return self.error(request, "ไม่มีรอบการตรวจนี้ (no such run)", 404)
        folder = self.audits.folder
        path = folder / f"sheet-{dt.datetime.now():%Y%m%d-%H%M%S-%f}{suffix}"
        path.write_bytes(body)
        try:
            read_answers(path)  # a sheet that cannot be read is said here, not after an audit
        except OitError as exc:
            path.unlink(missing_ok=True)
            return self.error(request, exc.message)
        audit_id = self.audits.start(run["site_url"], run["year"], run["as_of"], verify_sheet=path)
        return RedirectResponse(f"/audits/{audit_id}", status_code=303)

    # ---- history -----------------------------------------------------------------------------------
    async def sites(self, request: Request) -> Response:
        runs = list_runs(self.audits.store())
        sites: dict[str, dict] = {}
        for run in runs:
            entry = sites.setdefault(run["site"], {"site": run["site"], "runs": []})
            entry["runs"].append(run)
        for entry in sites.values():
            audits = [r for r in entry["runs"] if r["status"] == "complete" and not r["verify"]]
            oldest_first = list(reversed(audits))
            for before, after in zip(oldest_first, oldest_first[1:], strict=False):
                after["change"] = round((after["oit"] or 0) - (before["oit"] or 0), 2)
                after["previous"] = before["id"]
            entry["trend"] = trend_svg([(r["id"], r["oit"] or 0.0) for r in oldest_first])
            entry["complete"] = audits
        return self.page(request, "sites.html", sites=list(sites.values()))

    async def diff(self, request: Request) -> Response:
        try:
            a, b = int(request.query_params["a"]), int(request.query_params["b"])
            changes = diff_runs(self.audits.store(), min(a, b), max(a, b))
        except (KeyError, ValueError):
            return self.error(request, "เลือกสองรอบที่จะเทียบ (choose two runs)")
        except OitError as exc:
            return self.error(request, exc.message)
        return self.page(request, "diff.html", diff=changes)

    async def batches(self, request: Request) -> Response:
        """The nightly fleet's batch (`oit batch-status`): counts, and why each failure failed."""
        names = self.audits.store().batches()
        name = request.query_params.get("batch") or (names[0] if names else None)
        try:
            status = batch_status(self.audits.store(), name) if name else None
        except OitError as exc:
            return self.error(request, exc.message, 404)
        shown = status.as_dict() if status else None
        return self.page(request, "batches.html", batch=shown, batches=names)

    async def style(self, request: Request) -> Response:
        css = REPORT_CSS + (HERE / "static" / "web.css").read_text(encoding="utf-8")
        return Response(css, media_type="text/css; charset=utf-8")


def create_app(
    db: str | Path, token: str = "", max_upload_mb: float = 2.0, data_dir: Path | None = None
) -> Starlette:
    """The app over the store ``db`` (an SQLite path or a postgresql:// URL); its own files go
    to ``data_dir`` (jobs.data_dir says the default)."""
    web = Web(db, max_upload_mb, data_dir)
    web.audits.recover()

    async def forbidden(request: Request, exc: Exception) -> Response:
        return web.error(
            request, "แบบฟอร์มนี้ไม่ได้ส่งจากหน้าของโปรแกรม (forbidden: form not from this page)", 403
        )

    routes = [
        Route("/", web.home),
        Route("/audits", web.start, methods=["POST"]),
        Route("/audits/{audit_id:int}.json", web.audit_json),
        Route("/audits/{audit_id:int}", web.audit_page),
        Route("/audits/{audit_id:int}/cancel", web.cancel, methods=["POST"]),
        Route("/audits/{audit_id:int}/resume", web.resume, methods=["POST"]),
        Route("/audits/{audit_id:int}/{name:str}", web.download),
        Route("/runs/{run_id:int}", web.run_page),
        Route("/runs/{run_id:int}/whatif", web.whatif_fragment),
        Route("/runs/{run_id:int}/verify", web.verify, methods=["POST"]),
        Route("/runs/{run_id:int}/items/{item_id:str}/manual", web.manual, methods=["POST"]),
        Route("/runs/{run_id:int}/{name:str}", web.download),
        Route("/sites", web.sites),
        Route("/sites/diff", web.diff),
        Route("/batches", web.batches),
        Route("/assets/style.css", web.style),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        web.audits.stop_all()  # the audits it started stop with the server (kept resumable)

    app = Starlette(
        routes=routes,
        exception_handlers={Forbidden: forbidden},
        lifespan=lifespan,
        max_body_size=web.max_upload + UPLOAD_SLACK,  # no request body beyond the upload cap
    )
    app.add_middleware(Guard, token=token)
    app.state.web = web
    return app
