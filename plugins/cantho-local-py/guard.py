"""Cần Thơ's traceability rule as an ocop guard plugin in Python: the same check, the same
configuration and the same findings as the Rust plugin in plugins/cantho-local.

Kế hoạch 109/KH-UBND (2024) asks that OCOP products be traceable through the city's QR
system. The check ``traceability`` blocks a transition unless the case records the
configured fact (default ``traceability_registered``) as true, or its dossier holds a
present document of the configured kind (default ``traceability_qr``).
"""

import json

import wit_world
from componentize_py_types import Err
from wit_world.imports import types as t

NAME = "cantho-local-py"
VERSION = "0.1.0"
LEGAL_BASIS = (
    "Kế hoạch 109/KH-UBND ngày 24/5/2024 của UBND thành phố Cần Thơ "
    "(truy xuất nguồn gốc sản phẩm OCOP)"
)
KEYS = ["traceability_system", "fact", "document_kind"]
DEFAULTS = {
    "traceability_system": "hệ thống truy xuất nguồn gốc",
    "fact": "traceability_registered",
    "document_kind": "traceability_qr",
}


def bad_config(key, message):
    raise Err(t.PluginError(code="bad-config", message=f"configuration key `{key}`: {message}"))


def kind(value):
    """How the Rust SDK names a JSON value's type in its messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a string"


def settings(view):
    """The configuration: each value is the JSON text of the definition's entry."""
    pairs = view.config
    for key, _ in pairs:
        if key not in KEYS:
            bad_config(key, "unknown key; the plugin reads " + ", ".join(KEYS))
    out = dict(DEFAULTS)
    for key in KEYS:
        raw = next((v for (k, v) in pairs if k == key), None)
        if raw is None:
            continue
        try:
            value = json.loads(raw)
        except ValueError as e:
            bad_config(key, str(e))
        if not isinstance(value, str):
            bad_config(key, "expected a string, found " + kind(value))
        out[key] = value
    return out


def traceability(view, config):
    registered = any(k == config["fact"] and v for (k, v) in view.facts) or any(
        d.kind == config["document_kind"] and d.present for d in view.documents
    )
    if registered:
        return []
    system, kind = config["traceability_system"], config["document_kind"]
    return [
        t.Finding(
            blocking=True,
            code="traceability-missing",
            message=t.Label(
                vi=f"Sản phẩm chưa đăng ký truy xuất nguồn gốc trên {system}: bổ sung mã QR "
                f"truy xuất (tài liệu `{kind}`) trước khi đề nghị thành phố đánh giá",
                en=f"The product is not registered for traceability on {system}: add its "
                f"traceability QR code (document `{kind}`) before proposing it to the city",
            ),
        )
    ]


class WitWorld(wit_world.WitWorld):
    def describe(self):
        return t.PluginInfo(
            name=NAME,
            version=VERSION,
            legal_basis=LEGAL_BASIS,
            product_sets=b"",
            checks=["traceability"],
        )

    def check(self, view, check):
        if check != "traceability":
            raise Err(
                t.PluginError(
                    code="unknown-check",
                    message=f"{NAME} has no check `{check}`; it offers `traceability`",
                )
            )
        return traceability(view, settings(view))
