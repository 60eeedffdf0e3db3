"""Small Vietnamese feeds and article pages built in tests, served by LocalServer."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from monitor.devserver import LocalServer, Response

STORY_CAO_TOC = [
    "Sáng 20/11, Ban Quản lý dự án giao thông tỉnh Lạng Sơn cho biết tuyến cao tốc Hữu Nghị – "
    "Chi Lăng đã hoàn thành khoảng 65% khối lượng thi công phần đường và cầu.",
    "Theo chủ đầu tư, công tác giải phóng mặt bằng đã bàn giao đủ 100% diện tích cho nhà thầu, "
    "các mũi thi công đang tăng ca để kịp thông xe kỹ thuật vào cuối năm sau.",
    "Tuyến cao tốc dài hơn 43 km, điểm đầu tại cửa khẩu Hữu Nghị và điểm cuối nối với cao tốc "
    "Bắc Giang – Lạng Sơn tại huyện Chi Lăng, tổng mức đầu tư theo phê duyệt của tỉnh.",
    "Sở Xây dựng đề nghị các đơn vị kiểm soát chặt chất lượng vật liệu và an toàn lao động trên "
    "công trường, nhất là trong mùa mưa bão.",
]
STORY_NHA_O = [
    "Thành phố Lạng Sơn vừa khởi công dự án nhà ở xã hội tại phường Đông Kinh với quy mô hơn "
    "500 căn hộ dành cho công nhân và người thu nhập thấp.",
    "Dự án do một doanh nghiệp trong tỉnh làm chủ đầu tư, thời gian thi công dự kiến 24 tháng, "
    "giá bán sẽ được Sở Xây dựng thẩm định trước khi mở bán.",
    "Người dân có nhu cầu có thể theo dõi thông tin trên cổng thông tin của tỉnh để chuẩn bị "
    "hồ sơ đăng ký mua nhà theo đúng quy định hiện hành.",
]
STORY_BONG_DA = [
    "Tối qua, đội tuyển bóng đá của thành phố Hồ Chí Minh đã giành chiến thắng 2-1 trong trận "
    "đấu kịch tính trên sân nhà trước sự cổ vũ của hàng nghìn khán giả.",
    "Huấn luyện viên trưởng cho biết các cầu thủ đã thi đấu nỗ lực và tập trung cao độ trong "
    "suốt chín mươi phút, dù thời tiết khá nóng.",
]


@dataclass
class Page:
    path: str
    title: str
    paragraphs: list[str]
    date: str | None = "2026-11-20T08:30:00+07:00"
    outlet: str = "Báo Mẫu"

    def html(self) -> str:
        meta = (
            f'<meta property="article:published_time" content="{self.date}">' if self.date else ""
        )
        body = "".join(f"<p>{escape(p)}</p>" for p in self.paragraphs)
        menu = "".join(f'<li><a href="/muc-{i}">Chuyên mục {i}</a></li>' for i in range(12))
        return (
            f"<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
            f"<title>{escape(self.title)} - {self.outlet}</title>{meta}</head><body>"
            f"<nav><ul>{menu}</ul></nav><article><h1>{escape(self.title)}</h1>"
            f"<div class='detail-content'>{body}</div></article>"
            f"<aside><h3>Tin liên quan</h3><ul><li><a href='/x'>Thời tiết miền Bắc chuyển "
            f"lạnh</a></li></ul></aside><footer>© {self.outlet}. Địa chỉ: số 1 phố Mẫu."
            f"</footer></body></html>"
        )


def rss(base: str, pages: list[Page], title: str = "Báo Mẫu") -> str:
    items = []
    for page in pages:
        summary = escape(page.paragraphs[0][:160])
        items.append(
            f"<item><title>{escape(page.title)}</title><link>{base}{page.path}</link>"
            f"<guid>{base}{page.path}</guid><description>{summary}</description>"
            f"<pubDate>Fri, 20 Nov 2026 01:30:00 GMT</pubDate></item>"
        )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{title}</title><link>{base}/</link>{''.join(items)}</channel></rss>"
    )


def publish(server: LocalServer, feed_path: str, pages: list[Page], **feed_headers: str) -> None:
    """Serve ``pages`` and a feed listing them at ``feed_path``."""
    for page in pages:
        server.route(page.path, Response(200, page.html()))
    server.route(
        feed_path,
        Response(
            200,
            rss(server.base_url, pages),
            {"Content-Type": "application/rss+xml; charset=utf-8", **feed_headers},
        ),
    )


def sources_yaml(entries: list[tuple[str, str]], **extra: object) -> str:
    lines = ["sources:"]
    for sid, url in entries:
        lines.append(f"  - id: {sid}\n    name: Nguồn {sid}\n    url: {url}")
        for key, value in extra.items():
            lines.append(f"    {key}: {value}")
    return "\n".join(lines) + "\n"
