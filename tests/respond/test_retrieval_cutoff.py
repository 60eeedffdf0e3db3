"""Fact retrieval refuses to guess: another place, another kind of claim, too few words."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.respond.facts import EXAMPLE, Fact, load_yaml
from monitor.respond.retrieval import FactIndex, disagreement, named, subject


def fact(fid: str, statement: str, topics: tuple[str, ...]) -> Fact:
    day = date(2025, 1, 2)
    return Fact(fid, statement, "1/TB (ví dụ)", day, "Sở Xây dựng (ví dụ)", day, topics=topics)


@pytest.fixture(scope="module")
def index() -> FactIndex:
    school = fact(
        "T-CL-01",
        "Nhà lớp học của Trường Trung học cơ sở thị trấn Lộc Bình đã được kiểm định; kết cấu "
        "đạt yêu cầu, vết nứt tường là nứt lớp vữa trát, không ảnh hưởng an toàn.",
        ("chất lượng công trình", "trường học", "kiểm định", "nứt tường", "Lộc Bình"),
    )
    return FactIndex([*load_yaml(EXAMPLE), school])  # the example base has VD-CK-01, the gate


def test_the_border_gate_claim_gets_the_border_gate_fact_only(index: FactIndex) -> None:
    claim = "Cửa khẩu Hữu Nghị sẽ đóng cửa vĩnh viễn từ tháng 12, hàng nghìn xe mắc kẹt."
    cited, refused = index.review(claim)
    assert [s.fact.id for s in cited] == ["VD-CK-01"]
    assert "cùng địa danh: Hữu Nghị" in cited[0].why and "điểm từ ngữ" in cited[0].why
    assert "VD-GP-01" not in {s.fact.id for s in cited}  # the permit deadline is not an answer
    assert all(s.why for s in refused)


def test_typed_without_diacritics(index: FactIndex) -> None:
    cited = index.answer("cua khau huu nghi se dong cua vinh vien, ai xuat canh thi di gap")
    assert [s.fact.id for s in cited] == ["VD-CK-01"]


def test_another_place_is_refused_with_the_reason(index: FactIndex) -> None:
    claim = "Cửa khẩu Tân Thanh sẽ đóng cửa vĩnh viễn từ tháng sau, xe hàng phải quay đầu."
    cited, refused = index.review(claim)
    assert cited == []
    gate = next(s for s in refused if s.fact.id == "VD-CK-01")
    assert gate.why.startswith("khác địa danh (dữ kiện nói về Hữu Nghị")


def test_another_kind_of_claim_is_refused(index: FactIndex) -> None:
    claim = "Cửa khẩu Hữu Nghị thu thêm 500 nghìn đồng phí mỗi lượt xuất cảnh từ tháng này."
    about = subject(claim)
    gate = subject(index.facts[-2].statement + " " + " ".join(index.facts[-2].topics))
    assert "money" in about.kinds and "money" not in gate.kinds
    assert disagreement(about, gate).startswith("khác loại nội dung")
    assert [s.fact.id for s in index.answer(claim)] == []


def test_nothing_in_the_base_means_no_citation(index: FactIndex) -> None:
    assert index.answer("Bệnh viện tỉnh từ chối bệnh nhân dùng thẻ bảo hiểm y tế.") == []
    assert index.answer("") == []


def test_a_detail_that_differs_refuses_the_fact(index: FactIndex) -> None:
    """The school fact is about a lower-secondary school: a claim about a primary school of
    the same town is not answered by it, and the draft says which detail differs."""
    claim = "Trường Tiểu học thị trấn Lộc Bình nứt tường, kết cấu không an toàn cho học sinh."
    cited, refused = index.review(claim)
    assert "T-CL-01" not in {s.fact.id for s in cited}
    school = next(s for s in refused if s.fact.id == "T-CL-01")
    assert school.why.startswith("khác cấp học (câu nói về tiểu học, dữ kiện về trung học cơ sở")
    same = "Trường THCS thị trấn Lộc Bình nứt tường, kết cấu không an toàn cho học sinh."
    assert [s.fact.id for s in index.answer(same)] == ["T-CL-01"]


def test_kind_words_keep_their_diacritics_when_the_text_has_them() -> None:
    """ "vé" (a ticket: money) is not "vệ" in "bảo vệ"; typed without diacritics, "ve" is
    matched accent-free as the only reading there is."""
    assert "money" in subject("Khu du lịch sẽ thu vé vào cửa").kinds
    assert "money" not in subject("Quy hoạch khoanh vùng bảo vệ rừng và di tích").kinds
    assert "money" in subject("khu du lich se thu ve vao cua").kinds


def test_named_things_are_read_after_their_words() -> None:
    assert dict(named("Đường Lê Lợi ở thành phố Lạng Sơn mới trải nhựa")) == {
        "street": frozenset({"Lê Lợi"}),
        "city": frozenset({"Lạng Sơn"}),  # "phố" inside "thành phố" names no street
    }
    assert dict(named("Dự án Khu đô thị Phú Lộc IV mở bán")) == {
        "project": frozenset({"Phú Lộc IV"})
    }
    assert dict(named("Tuyến Na Sầm – cửa khẩu Tân Thanh, đoạn Km3 – Km5, năm 2020")) == {
        "street": frozenset({"Na Sầm"}),
        "km": frozenset({"Km3", "Km5"}),
        "year": frozenset({"2020"}),
    }
    assert named("duong le loi moi trai nhua da nut") == ()  # no capitals: not recognised


@pytest.fixture(scope="module")
def streets() -> FactIndex:
    flats = fact(
        "T-NO-01",
        "Giá bán căn hộ nhà ở xã hội khu đô thị Nam Hoàng Đồng được Sở Xây dựng thẩm định ở "
        "mức bình quân 12 triệu đồng/m² sàn.",
        ("nhà ở xã hội", "giá bán", "Nam Hoàng Đồng"),
    )
    return FactIndex([*load_yaml(EXAMPLE), flats])  # VD-CT-01: đường Bà Triệu; VD-TT-01: 2020


def _refused_why(index: FactIndex, fact_id: str, same: str, other: str) -> str:
    """``same`` is answered by the fact, ``other`` by nothing: the reason the fact was refused."""
    assert [s.fact.id for s in index.answer(same)] == [fact_id]
    cited, refused = index.review(other)
    assert cited == []
    return next(s for s in refused if s.fact.id == fact_id).why


def test_another_street_or_year_is_refused_with_the_names(streets: FactIndex) -> None:
    same = "Đường Bà Triệu vừa nghiệm thu đã nứt, lún, kiểm định chỉ là hình thức."
    other = same.replace("Bà Triệu", "Lê Lợi")
    why = _refused_why(streets, "VD-CT-01", same, other)
    assert why == "khác tuyến đường (câu nói về Lê Lợi, dữ kiện về Bà Triệu)"
    year = "Năm 2020 Thanh tra Sở Xây dựng bỏ qua công trình xây dựng không phép, không xử lý."
    why = _refused_why(streets, "VD-TT-01", year, year.replace("2020", "2025"))
    assert why == "khác năm (câu nói về 2025, dữ kiện về 2020)"


def test_rent_is_not_answered_by_a_sale_price(streets: FactIndex) -> None:
    sale = "Giá bán căn hộ nhà ở xã hội khu đô thị Nam Hoàng Đồng bị đẩy lên 30 triệu đồng/m²."
    rent = "Giá thuê căn hộ nhà ở xã hội khu đô thị Nam Hoàng Đồng lên tới 5 triệu đồng/tháng."
    why = _refused_why(streets, "T-NO-01", sale, rent)
    assert why.startswith("khác hình thức giao dịch (câu nói về thuê")
