"""Accent-free syllables that say nothing about what a text claims (as fold_key leaves them).

Two sets: grammatical words, and the words every news item and post uses about itself
("bài viết", "video", "khẳng định"). Retrieval drops the first; evidence shown to an analyst
drops both.
"""

from __future__ import annotations

_STOP_TEXT = """va la cua cac nhung mot co duoc cho trong voi tai da dang se khong nay do thi ma
de ve tu theo nhu khi con ra vao len lai rat nhieu it tren duoi sau truoc cung hay hon"""
STOP = frozenset(_STOP_TEXT.split())

_GENERIC_TEXT = """bai viet dang tai kem hinh anh video clip facebook mang xa hoi trang tin bao
nguoi nay ong ba anh chi em ho chung toi minh ai gi ay kia day do khang dinh cho biet noi
thong tin tin tuc chia se binh luan nguoi dan ba con chinh quyen tinh huyen xa thanh pho
phuong co quan lanh dao can bo ngoi dung di den nhu vay toan bo tat ca moi cai viec su
dieu lam dong thoi hien nay ngay nam thang tuan gio luc"""
GENERIC = frozenset(_GENERIC_TEXT.split())
