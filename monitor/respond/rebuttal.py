"""Rebuttal drafts for confirmed distorted stories: claims, the facts that answer them (with
their scores) and a Vietnamese draft in which every factual sentence cites its fact.

A claim with no matching fact is marked for the analyst; nothing is invented to answer it.
Drafts are versioned: an edit adds a version and never overwrites one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from ..config import Settings
from ..review import audit
from ..store.codec import decode_evidence, decode_list, encode_json
from ..store.tables import drafts, item_scores, items, review_state, sources, verdicts
from ..store.terms import seen_time
from ..timefmt import show
from ..vocabulary import User, require
from . import InvalidInput, NotFound
from .facts import Fact, list_facts
from .retrieval import FactIndex, extract_claims

UNMATCHED = "[CẦN CHUYÊN VIÊN BỔ SUNG]"
CITATION = re.compile(r"\[([A-Za-z0-9_.\-]+), [^\[\]]+, \d{2}/\d{2}/\d{4}\]")
MAX_BODY = 50_000


@dataclass(frozen=True, slots=True)
class Draft:
    """One stored version of a draft."""

    id: int
    item_id: int
    version: int
    body: str
    claims: list[dict[str, Any]]
    fact_ids: list[str]
    unmatched: int
    author: str
    note: str
    created_at: datetime
    checked_by: str | None = None  # who compared every citation with its document
    checked_at: datetime | None = None

    @property
    def needs_check(self) -> bool:
        """True while the version cites facts that nobody has compared with their documents."""
        return bool(self.fact_ids) and self.checked_by is None


def _draft(row: Any) -> Draft:
    return Draft(
        row.id, row.item_id, row.version, row.body, decode_list(row.claims),
        decode_list(row.fact_ids), row.unmatched, row.author, row.note, row.created_at,
        row.checked_by, row.checked_at,
    )  # fmt: skip


def _item_row(conn: Connection, item_id: int) -> Any:
    row = conn.execute(
        select(items, sources.c.name.label("outlet"), review_state.c.status)
        .join(sources, sources.c.id == items.c.source_id)
        .outerjoin(review_state, review_state.c.item_id == items.c.id)
        .where(items.c.id == item_id)
    ).first()
    if row is None:
        raise NotFound(f"no item {item_id}")
    return row


def check_eligible(conn: Connection, item_id: int) -> Any:
    """The item row when it is a signed-off distorted story; otherwise InvalidInput."""
    row = _item_row(conn, item_id)
    last = conn.execute(
        select(verdicts.c.verdict).where(verdicts.c.item_id == item_id)
        .order_by(verdicts.c.created_at.desc(), verdicts.c.id.desc()).limit(1)
    ).scalar()  # fmt: skip
    if row.status != "signed_off" or last != "confirm_distorted":
        raise InvalidInput(
            f"item {item_id} is {row.status or 'new'}: a draft needs a distorted verdict "
            "signed off by a lead"
        )
    return row


def _phrases(conn: Connection, item_id: int) -> list[str]:
    raw = conn.execute(
        select(item_scores.c.evidence).where(item_scores.c.item_id == item_id)
    ).scalar()
    return [p.phrase for p in decode_evidence(raw).get("distorted", ()) if p.phrase]


def preview(conn: Connection, item_id: int, settings: Settings) -> dict[str, Any]:
    """What a draft of any scored item would answer, stored nowhere (``monitor demo`` shows
    it before anyone has confirmed the item; a real draft needs the sign-off)."""
    row = _item_row(conn, item_id)
    return compose(row, _phrases(conn, item_id), list_facts(conn), settings)


def compose(row: Any, phrases: list[str], facts: list[Fact], settings: Settings) -> dict[str, Any]:
    """The draft's body (Markdown), its claims with scored facts, cited ids, unmatched count."""
    day = seen_time(row).date()
    index = FactIndex([f for f in facts if f.valid_on(day)])
    claims = extract_claims(row.title, row.text, phrases) or extract_claims(
        row.title, "", [row.title]
    )
    found: list[dict[str, Any]] = []  # stored as JSON with the draft
    for claim in claims:
        cited, refused = index.review(claim.sentence)
        found.append({
            "sentence": claim.sentence, "phrases": list(claim.phrases),
            "facts": [{"id": s.fact.id, "score": s.score, "why": s.why} for s in cited],
            "refused": [{"id": s.fact.id, "score": s.score, "why": s.why} for s in refused],
        })  # fmt: skip
    by_id = {f.id: f for f in facts}
    body = _template(row, found, by_id, settings)
    cited = sorted({f["id"] for c in found for f in c["facts"]})
    unmatched = sum(1 for c in found if not c["facts"])
    return {"body": body, "claims": found, "fact_ids": cited, "unmatched": unmatched}


def _template(
    row: Any, claims: list[dict[str, Any]], facts: dict[str, Fact], settings: Settings
) -> str:
    when = show(row.published_at, with_time=False) if row.published_at else "không rõ ngày"
    lines = [
        "# DỰ THẢO THÔNG TIN PHẢN HỒI",
        "",
        f"**V/v:** thông tin chưa chính xác trong bài “{row.title}”",
        "",
        "## 1. Nội dung đã đăng",
        "",
        f"- Cơ quan báo chí: {row.outlet}",
        f"- Ngày đăng: {when}",
        f"- Đường dẫn: {row.url}",
        "",
        "Các nội dung chưa chính xác:",
        "",
    ]
    lines += [f"{n}. “{c['sentence']}”" for n, c in enumerate(claims, 1)]
    lines += ["", "## 2. Thông tin chính thức", ""]
    for n, claim in enumerate(claims, 1):
        lines.append(f"Về nội dung {n}:")
        lines.append("")
        if not claim["facts"]:
            lines.append(
                f"- **{UNMATCHED}** Chưa có thông tin chính thức tương ứng trong cơ sở dữ kiện; "
                "chuyên viên bổ sung căn cứ trước khi gửi, không trả lời nội dung này khi chưa có "
                "căn cứ."
            )
        for ref in claim["facts"]:
            fact = facts[ref["id"]]
            lines.append(f"- {fact.statement.rstrip('.')} {fact.citation()}.")
        lines.append("")
    lines += [
        "## 3. Đề nghị",
        "",
        # The agency's name is configured in capitals; lower-casing it would also lower the
        # place names, so the request is addressed without repeating it.
        "Đề nghị Quý cơ quan báo chí xem xét đăng cải chính các nội dung trên theo quy định "
        "tại Nghị định số 09/2017/NĐ-CP của Chính phủ về phát ngôn và cung cấp thông tin cho "
        "báo chí.",
        "",
        "## 4. Liên hệ",
        "",
        settings.spokesperson_contact,
        "",
    ]
    return "\n".join(lines)


def cited_ids(body: str) -> list[str]:
    """Fact ids cited in a body, in order of first citation."""
    return list(dict.fromkeys(m.group(1) for m in CITATION.finditer(body)))


def check_citations(conn: Connection, body: str) -> list[str]:
    """The cited ids, after checking that each names an existing fact."""
    ids = cited_ids(body)
    known = {f.id for f in list_facts(conn)}
    missing = [i for i in ids if i not in known]
    if missing:
        raise InvalidInput(f"the draft cites {missing[0]!r}, which is not in the fact base")
    return ids


def _next_version(conn: Connection, item_id: int) -> int:
    current = conn.execute(
        select(func.max(drafts.c.version)).where(drafts.c.item_id == item_id)
    ).scalar()
    return int(current or 0) + 1


def _store(conn: Connection, item_id: int, actor: str, values: dict[str, Any],
           note: str, now: datetime) -> Draft:  # fmt: skip
    version = _next_version(conn, item_id)
    draft_id = conn.execute(drafts.insert().values(
        item_id=item_id, version=version, body=values["body"],
        claims=encode_json(values["claims"]),
        fact_ids=encode_json(values["fact_ids"]), unmatched=values["unmatched"],
        author=actor, note=note, created_at=now,
    ).returning(drafts.c.id)).scalar_one()  # fmt: skip
    audit.record(conn, actor, "draft", "item", item_id, None,
                 {"draft_id": draft_id, "version": version, "facts": values["fact_ids"],
                  "unmatched": values["unmatched"], "note": note}, now)  # fmt: skip
    return get_draft(conn, int(draft_id))


def create_draft(
    conn: Connection, item_id: int, actor: User, settings: Settings, now: datetime | None = None
) -> Draft:
    """Compose a new draft version for a signed-off distorted story."""
    require(actor, "judge", "write a draft")
    row = check_eligible(conn, item_id)
    values = compose(row, _phrases(conn, item_id), list_facts(conn), settings)
    return _store(conn, item_id, actor.name, values, "tạo tự động", now or datetime.now(UTC))


def edit_draft(
    conn: Connection, item_id: int, actor: User, body: str, note: str = "",
    now: datetime | None = None,
) -> Draft:  # fmt: skip
    """Save an edited body as the next version; every citation must name an existing fact."""
    require(actor, "judge", "edit a draft")
    body = body.replace("\r\n", "\n").strip() + "\n"
    if not body.strip() or len(body) > MAX_BODY:
        raise InvalidInput(f"a draft must have between 1 and {MAX_BODY} characters")
    previous = latest_draft(conn, item_id)
    ids = check_citations(conn, body)
    values = {"body": body, "claims": previous.claims, "fact_ids": ids,
              "unmatched": body.count(UNMATCHED)}  # fmt: skip
    return _store(conn, item_id, actor.name, values, note.strip(), now or datetime.now(UTC))


def check_draft(
    conn: Connection, item_id: int, version: int, actor: User, now: datetime | None = None
) -> Draft:
    """Record that ``actor`` compared every citation of this version with the document it
    names (the retrieval can cite a fact about something else: BENCHMARKS.md, "Fact
    citations"). A later edit is a new version and is checked again."""
    require(actor, "judge", "confirm a draft's citations")
    draft = get_version(conn, item_id, version)
    if not draft.fact_ids:
        raise InvalidInput(f"draft version {version} cites no fact: there is nothing to check")
    if draft.checked_by is not None:
        raise InvalidInput(f"draft version {version} was already checked by {draft.checked_by}")
    now = now or datetime.now(UTC)
    conn.execute(drafts.update().where(drafts.c.id == draft.id)
                 .values(checked_by=actor.name, checked_at=now))  # fmt: skip
    what = {"draft_id": draft.id, "version": version, "facts": draft.fact_ids}
    audit.record(conn, actor.name, "draft_check", "item", item_id, None, what, now)
    return get_draft(conn, draft.id)


def get_draft(conn: Connection, draft_id: int) -> Draft:
    """One draft version by id."""
    row = conn.execute(select(drafts).where(drafts.c.id == draft_id)).first()
    if row is None:
        raise NotFound(f"no draft {draft_id}")
    return _draft(row)


def versions(conn: Connection, item_id: int) -> list[Draft]:
    """Every version of an item's draft, newest first."""
    query = select(drafts).where(drafts.c.item_id == item_id).order_by(drafts.c.version.desc())
    return [_draft(r) for r in conn.execute(query)]


def get_version(conn: Connection, item_id: int, version: int = 0) -> Draft:
    """One version of an item's draft (0: the newest); NotFound when there is none."""
    history = versions(conn, item_id)
    found = next((d for d in history if d.version == version), None) if version else None
    if found is None and (version or not history):
        raise NotFound(f"item {item_id} has no draft version {version or ''}".strip())
    return found or history[0]


def latest_draft(conn: Connection, item_id: int) -> Draft:
    """The newest version of an item's draft."""
    found = versions(conn, item_id)
    if not found:
        raise NotFound(f"item {item_id} has no draft yet")
    return found[0]


def render_docx(draft: Draft, settings: Settings) -> bytes:
    """The draft as a Word document (the decree's page, font and margins)."""
    from .. import docxfmt

    doc = docxfmt.document()
    docxfmt.header(doc, settings.parent_agency, settings.agency_name, DOCX_NUMBER)
    docxfmt.markdown(doc, draft.body)
    docxfmt.footer(doc, DOCX_RECIPIENTS)
    docxfmt.para(doc, f"Phiên bản {draft.version}, {show(draft.created_at)}, {draft.author}.",
                 italic=True, size=10)  # fmt: skip
    return docxfmt.save(doc)


DOCX_NUMBER = "Số: ……/SXD-VP"  # an official letter (công văn) of the department's office
DOCX_RECIPIENTS = ("Như trên;", "Lãnh đạo Sở;", "Lưu: VT, VP.")
