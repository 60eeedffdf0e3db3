"""One vocabulary (issue 13): every role, status, verdict, permission, case term and label has
its Vietnamese text, the names agree wherever they are written, and the role groups, the
statuses and the label names are defined once."""

from __future__ import annotations

import json
import re
from pathlib import Path

from classifiers.labels import load_labels
from monitor import vocabulary
from monitor.respond import cases

ROOT = Path(__file__).resolve().parents[1]
CODE = [p for d in ("monitor", "dashboards", "classifiers") for p in (ROOT / d).rglob("*.py")
        if "migrations" not in p.parts]  # fmt: skip


def _vi() -> dict[str, str]:
    from dashboards.i18n import translate

    raw = json.loads((ROOT / "monitor/i18n/vi.json").read_text(encoding="utf-8"))
    keys = set(raw) | {f"label.{spec.key}" for spec in load_labels()}
    return {key: translate("vi", key) for key in keys}


def test_every_term_has_its_vietnamese_text() -> None:
    vi = _vi()
    wanted = (
        [f"role.{r}" for r in vocabulary.ROLES]
        + [f"status.{s}" for s in vocabulary.STATUSES]
        + [f"verdict.{v}" for v in vocabulary.VERDICTS]
        + [f"label.{spec.key}" for spec in load_labels()]
        + [f"case.status.{s}" for s in cases.STATUSES]
        + [f"case.kind.{k}" for k in cases.KINDS]
        + [f"case.channel.{c}" for c in cases.CHANNELS]
        + [f"activity.kind.{k}" for k in vocabulary.ACTIVITY_KINDS]
        + ["plan.key.own_post"]
        + [f"uptake.how.{h}" for h in vocabulary.UPTAKE_KINDS]
        + [f"alert.trigger.{t}" for t in vocabulary.ALERT_TRIGGERS]
    )
    missing = [key for key in wanted if not vi.get(key, "").strip() or vi[key] == key]
    assert not missing, missing


def test_documents_take_their_names_from_the_catalogue() -> None:
    """The digest, the yearly report and the command line name statuses, channels, outlets
    and relevance parts through monitor.i18n: no second table of Vietnamese names."""
    table = re.compile(r"^[A-Z_]*_VI\s*=\s*\{", re.M)
    found = [str(p.relative_to(ROOT)) for p in CODE if table.search(p.read_text(encoding="utf-8"))]
    assert not found, found


def test_label_names_are_written_only_in_labels_yaml() -> None:
    """No other name for a label ("Sai lệch", "Sai sự thật" for distorted...) and no copy of
    the labels.yaml names in code: they are read from the file."""
    names = [spec.name_vi for spec in load_labels()]
    other_names = ["Sai lệch", "Sai sự thật", "Bình thường", "Trung lập"]
    found = []
    for path in CODE:
        text = path.read_text(encoding="utf-8")
        for name in other_names + [n for n in names if "," not in n]:
            for m in re.finditer(re.escape(f'"{name}"'), text):
                found.append(f"{path.relative_to(ROOT)}: {m.group(0)}")
    assert not found, found


def test_role_groups_and_statuses_are_defined_once() -> None:
    """Tuples of role or status names are written in monitor/vocabulary.py only."""
    role = "(analyst|lead|writer|admin)"
    role_tuple = re.compile(rf'\(\s*"{role}"\s*,\s*"{role}"')
    status_tuple = re.compile(r'\(\s*"confirmed"\s*,\s*"signed_off"\s*\)')
    found = [
        str(path.relative_to(ROOT))
        for path in CODE
        if path.name != "vocabulary.py"
        and (role_tuple.search(t := path.read_text(encoding="utf-8")) or status_tuple.search(t))
    ]
    assert not found, found


def test_permissions_name_known_roles() -> None:
    for action, roles in vocabulary.PERMISSIONS.items():
        assert roles and set(roles) <= set(vocabulary.ROLES), action
    operator = vocabulary.OPERATOR
    assert operator.role not in vocabulary.ROLES  # nobody logs in as the operator
    assert all(vocabulary.allowed(operator.role, a) for a in vocabulary.PERMISSIONS)
