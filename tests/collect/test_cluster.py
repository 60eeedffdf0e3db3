"""Near-duplicate clustering: syndicated copies join, different stories on one topic do not."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from monitor.collect import cluster
from monitor.collect.cluster import (
    MIN_WORDS,
    ClusterIndex,
    FingerprintError,
    content_hash,
    fingerprint,
    similarity,
)

ROOT = Path(__file__).resolve().parents[2]

TITLE_A = "Cao tốc Hữu Nghị – Chi Lăng: đẩy nhanh tiến độ thi công trước mùa mưa"
# Background both stories repeat word for word, as provincial outlets often do.
BACKGROUND = (
    "Dự án có chiều dài khoảng 60 km, đi qua các huyện Cao Lộc, Văn Lãng, Chi Lăng và thành "
    "phố Lạng Sơn, tổng mức đầu tư hơn 11.000 tỷ đồng theo hình thức đối tác công tư."
)
CLOSING = (
    "Tỉnh yêu cầu các sở, ngành tháo gỡ ngay khó khăn về mỏ vật liệu và bãi đổ thải, phấn đấu "
    "thông xe kỹ thuật toàn tuyến vào cuối năm nay."
)
STORY_A = [
    "Sáng 12/5, Ban Quản lý dự án cao tốc Hữu Nghị – Chi Lăng cho biết nhà thầu đã huy động "
    "thêm 120 máy móc, thiết bị và gần 400 công nhân để bảo đảm tiến độ trước mùa mưa.",
    BACKGROUND,
    "Theo đại diện chủ đầu tư, khối lượng đào đắp nền đường đã đạt hơn 70%, nhiều cầu vượt "
    "đang được lao dầm. Đơn vị thi công tổ chức làm ba ca liên tục, kể cả ngày nghỉ.",
    "Tại đoạn qua xã Hoàng Đồng, mặt bằng còn vướng 15 hộ dân chưa nhận tiền bồi thường. "
    "Chính quyền địa phương đang đối thoại để người dân sớm bàn giao đất.",
    CLOSING,
]
TITLE_B = "Cao Lộc đối thoại với người dân về bồi thường cao tốc Hữu Nghị – Chi Lăng"
STORY_B = [
    "Chiều 20/5, UBND huyện Cao Lộc tổ chức buổi đối thoại với các hộ dân xã Hoàng Đồng về "
    "phương án bồi thường, hỗ trợ và tái định cư phục vụ dự án cao tốc Hữu Nghị – Chi Lăng.",
    BACKGROUND,
    "Nhiều ý kiến đề nghị nâng đơn giá bồi thường đất nông nghiệp và bố trí khu tái định cư "
    "gần nơi ở cũ để người dân thuận tiện sản xuất, con em đi học không phải đi xa.",
    "Lãnh đạo huyện tiếp thu, giải đáp từng kiến nghị; những nội dung vượt thẩm quyền sẽ được "
    "báo cáo tỉnh xem xét trong tháng tới.",
    CLOSING,
]

SYNDICATED = {
    "paragraph dropped": (TITLE_A, STORY_A[:3] + STORY_A[4:]),
    "Theo line": (TITLE_A, [*STORY_A, "Theo Báo Lạng Sơn"]),
    "title punctuation": (
        "Cao tốc Hữu Nghị - Chi Lăng - Đẩy nhanh tiến độ thi công trước mùa mưa!",
        STORY_A,
    ),
    "boilerplate and NFD": (
        unicodedata.normalize("NFD", TITLE_A),
        [
            "Thứ Ba, 13/5/2025 07:15",
            *(unicodedata.normalize("NFD", p) for p in STORY_A[:4]),
            "(Theo Báo Xây dựng)",
            "Chia sẻ bài viết lên Facebook",
        ],
    ),
    "all together": (
        "“Cao tốc Hữu Nghị - Chi Lăng”: đẩy nhanh tiến độ thi công trước mùa mưa",
        ["Bình luận (0)", STORY_A[0], BACKGROUND, STORY_A[3], CLOSING, "Theo VietnamPlus"],
    ),
}


def fp(title: str, paragraphs: list[str]) -> bytes:
    result = fingerprint(title, "\n".join(paragraphs))
    assert result is not None
    return result


@pytest.fixture
def index() -> ClusterIndex:
    built = ClusterIndex()
    built.add(1, 100, fp(TITLE_A, STORY_A))
    return built


@pytest.mark.parametrize("variant", list(SYNDICATED))
def test_syndicated_copies_join_the_cluster(index: ClusterIndex, variant: str) -> None:
    title, paragraphs = SYNDICATED[variant]
    assert index.match(fp(title, paragraphs)) == 100


def test_different_story_on_the_same_expressway_stays_apart(index: ClusterIndex) -> None:
    story_b = fp(TITLE_B, STORY_B)
    assert similarity(fp(TITLE_A, STORY_A), story_b) < cluster.THRESHOLD
    assert index.match(story_b) is None
    index.add(2, 200, story_b)
    assert index.match(fp(*SYNDICATED["Theo line"])) == 100
    assert index.match(fp(TITLE_B, [*STORY_B, "Theo Báo Lạng Sơn"])) == 200
    assert len(index) == 2


def test_short_texts_are_not_clustered(index: ClusterIndex) -> None:
    short = "Sáng nay, cao tốc Hữu Nghị – Chi Lăng thông xe kỹ thuật đoạn đầu tiên."
    assert len(short.split()) < MIN_WORDS
    assert fingerprint("Thông xe", short) is None
    assert index.match(None) is None
    index.add(3, 300, None)
    assert len(index) == 1


def test_fingerprint_is_deterministic_across_processes() -> None:
    here = fp(TITLE_A, STORY_A)
    assert fp(TITLE_A, STORY_A) == here
    code = (
        "import sys; from monitor.collect.cluster import fingerprint; "
        "sys.stdout.write(fingerprint(sys.argv[1], sys.argv[2]).hex())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run(
        [sys.executable, "-c", code, TITLE_A, "\n".join(STORY_A)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    ).stdout
    assert bytes.fromhex(other) == here
    assert len(here) == 4 + 4 * cluster.NUM_PERM


def test_content_hash_is_the_exact_duplicate_key() -> None:
    text = "\n".join(STORY_A)
    key = content_hash(TITLE_A, text)
    assert len(key) == 64
    assert content_hash(unicodedata.normalize("NFD", TITLE_A), text.replace("hòa", "hoà")) == key
    assert content_hash(TITLE_A, text + " Thêm một câu.") != key
    assert content_hash(TITLE_B, text) != key


def test_fingerprints_with_other_settings_are_refused(index: ClusterIndex) -> None:
    other = fingerprint(TITLE_A, "\n".join(STORY_A), shingle=5)
    assert other is not None
    with pytest.raises(FingerprintError, match="shingle 3"):
        index.match(other)
    with pytest.raises(FingerprintError):
        index.add(4, 400, b"\x00" * 20)


def random_rows(count: int, start: int, seed: int) -> list[tuple[int, int, bytes]]:
    header = fp(TITLE_A, STORY_A)[:4]
    sigs = np.random.default_rng(seed).integers(
        0, 2**32, (count, cluster.NUM_PERM), dtype=np.uint32
    )
    return [(start + i, start + i, header + s.astype("<u4").tobytes()) for i, s in enumerate(sigs)]


def test_bulk_load_then_one_by_one_past_the_merge_point() -> None:
    index = ClusterIndex()
    bulk = random_rows(3000, 0, seed=1)
    skipped = index.add_many([*bulk, (9999, 9999, None), (9998, 9998, b"\x01\x05\x80\x00")])
    assert skipped == 2
    later = random_rows(cluster._TAIL_MAX + 10, 5000, seed=2)
    for item_id, cluster_id, signature in later:
        index.add(item_id, cluster_id, signature)
    assert len(index) == 3000 + len(later)
    for item_id, _cluster_id, signature in (bulk[0], bulk[-1], later[0], later[-1]):
        assert index.match(signature) == item_id
    index.add(1, 100, fp(TITLE_A, STORY_A))  # in the unsorted tail now
    assert index.match(fp(*SYNDICATED["paragraph dropped"])) == 100


def test_a_flood_of_near_copies_keeps_lookups_bounded() -> None:
    index = ClusterIndex()
    copy = fp(TITLE_A, STORY_A)
    index.add_many([(i, 7, copy) for i in range(5000)])  # one story seen 5,000 times
    candidates = index._candidates(index._band_keys(index._parse(copy)[np.newaxis])[0])
    assert len(candidates) <= cluster.MAX_PER_BAND * cluster.BANDS
    assert index.match(fp(*SYNDICATED["paragraph dropped"])) == 7
