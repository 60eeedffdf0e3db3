"""Small synthetic Vietnamese training sets written for these tests."""

from __future__ import annotations

import random

import pytest

from classifiers.model import Model, train

SUBJECTS = ["Cầu Kỳ Lừa", "Đường tránh thành phố", "Chợ Đông Kinh", "Khu nhà ở xã hội",
            "Dự án cao tốc Đồng Đăng", "Trường tiểu học xã Hoàng Đồng"]
PHRASES = {
    "distorted": ["bị bịa đặt là sắp sập", "bị tung tin sai sự thật rằng đã bỏ hoang",
                  "bị xuyên tạc số liệu vốn đầu tư", "bị đồn nhảm là xây bằng vật liệu cấm"],
    "hostile": ["bọn quan chức lũ ăn hại cút hết đi", "đồ lũ sâu mọt đáng bị treo cổ",
                "kêu gọi mọi người kéo đến đập phá", "lũ khốn nạn phải trả giá"],
    "criticism": ["người dân phản ánh thi công chậm gây bụi", "tiểu thương góp ý mái che bị dột",
                  "phụ huynh kiến nghị sửa lại rãnh thoát nước", "dân phản ánh đèn đường hỏng lâu"],
    "neutral": ["được khánh thành và đưa vào sử dụng", "tổ chức hội nghị tổng kết năm",
                "thông báo lịch bảo trì định kỳ", "đón đoàn công tác của Bộ Xây dựng"],
}


def make_set(labels: list[str], per_label: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """``per_label`` short items per label, each a subject plus one of the label's phrases."""
    rng = random.Random(seed)
    texts, out = [], []
    for label in labels:
        for i in range(per_label):
            texts.append(f"{rng.choice(SUBJECTS)} {rng.choice(PHRASES[label])}, tin số {i}.")
            out.append(label)
    return texts, out


@pytest.fixture(scope="session")
def four_class() -> tuple[Model, list[str], list[str]]:
    texts, labels = make_set(list(PHRASES), 20)
    return train(texts, labels, c_grid=(1.0,), folds=3), texts, labels


@pytest.fixture(scope="session")
def binary() -> tuple[Model, list[str], list[str]]:
    texts, labels = make_set(["distorted", "neutral"], 20, seed=1)
    return train(texts, labels, c_grid=(1.0, 4.0), folds=3), texts, labels
