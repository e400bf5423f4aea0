#!/usr/bin/env python3
"""An integrator's client for `ocop serve`, in Python with `requests` only.

It drives one product through national-2026 (Decision 26/2026) from registration to a
4-star certificate, through the HTTP API and nothing else: the producer opens and files,
the commune proposes, the provincial office accepts, the advisory group reports, the
council's chair names a council of five, each member scores the product through the real
criteria plugin, the chair closes the evaluation and the provincial chair certifies.

Usage:
    OCOP_URL=http://127.0.0.1:8080 OCOP_KEYS=keys.json python3 tests/python/ocop_client.py

`keys.json` maps each person to an API key (made with `ocop key new`):
    {"producer": "ocop_…", "commune": "…", "office": "…", "advisory": "…", "chair": "…",
     "m1": "…", "m2": "…", "m3": "…", "m4": "…", "decider": "…"}

Exit status 0 when the certificate is issued and the case's hash chain verifies.
"""

import json
import os
import sys
import uuid
from urllib.parse import quote

import requests


class Problem(Exception):
    """An error answer: RFC 9457 problem details with a stable `code`."""

    def __init__(self, status, body):
        self.status = status
        self.code = body.get("code")
        self.body = body
        super().__init__(f"{status} {self.code}: {body.get('detail')}")


class Ocop:
    """One credential's view of the API."""

    def __init__(self, base, key, lang="en"):
        self.base = base.rstrip("/")
        self.http = requests.Session()
        self.http.headers.update({"X-Api-Key": key, "Accept-Language": lang})

    def _call(self, method, path, body=None, headers=None):
        r = self.http.request(method, self.base + path, json=body, headers=headers or {}, timeout=30)
        if r.headers.get("content-type", "").startswith("application/problem+json"):
            raise Problem(r.status_code, r.json())
        r.raise_for_status()
        return r

    def get(self, path):
        return self._call("GET", path).json()

    def open_case(self, case_id, product, documents):
        body = {
            "id": case_id,
            "definition": "national-2026",
            "product": product,
            "registration": "first",
            "documents": documents,
        }
        key = f"open-{case_id}"
        return self._call("POST", "/api/v1/cases", body, {"Idempotency-Key": key}).json()

    def command(self, case_id, action, role=None, key=None, version=None):
        body = {"action": action}
        if role:
            body["role"] = role
        headers = {"Idempotency-Key": key or str(uuid.uuid4())}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return self._call("POST", f"/api/v1/cases/{quote(case_id, safe='')}/commands", body, headers).json()

    def take(self, case_id, transition, **kw):
        return self.command(case_id, {"type": "take", "transition": transition}, **kw)

    def case(self, case_id):
        return self.get(f"/api/v1/cases/{quote(case_id, safe='')}")


def sheet_for(criteria, template, target, stars):
    """An answer sheet scoring `target` (or just above) that keeps every minimum mark up to
    `stars`: start from the best option everywhere, then lower criteria while the total
    stays at or above the target."""
    answers = {}
    total = 0.0
    for c in criteria["criteria"]:
        best = len(c["options"]) - 1
        answers[c["id"]] = best
        total += c["options"][best]["points"]
    for c in criteria["criteria"]:
        opts = c["options"]
        best = len(opts) - 1
        floor = max(
            [k for k, o in enumerate(opts) if o.get("min_stars") is not None and o["min_stars"] <= stars],
            default=0,
        )
        pick = best
        for k in range(floor, best):
            if total - (opts[best]["points"] - opts[k]["points"]) >= target - 1e-9:
                pick = k
                break
        total -= opts[best]["points"] - opts[pick]["points"]
        answers[c["id"]] = pick
    sheet = dict(template)
    sheet["answers"] = answers
    return sheet


def sheet_result(payload):
    """The total and plugin of a recorded member sheet: event format 2 keeps them under
    `result`; format 1 (older databases) kept the whole evaluation under `scored`."""
    if "result" in payload:
        return payload["result"]
    scored = payload["scored"]
    return {"total": scored["evaluation"]["total"], "plugin": scored["plugin"]}


def main():
    base = os.environ.get("OCOP_URL", "http://127.0.0.1:8080")
    with open(os.environ["OCOP_KEYS"], encoding="utf-8") as f:
        keys = json.load(f)
    who = {name: Ocop(base, key) for name, key in keys.items()}
    case_id = os.environ.get("OCOP_CASE", f"PY-{uuid.uuid4().hex[:8].upper()}")

    health = requests.get(base + "/ready", timeout=10).json()
    assert health["ready"], health
    print(f"server ready: {health['definitions']} definitions, {health['plugins']} plugins")

    producer = who["producer"]
    product = {
        "name": "Trà mãng cầu Phong Điền",
        "product_set": 1,
        "producer": {
            "name": "HTX Nông nghiệp Phong Điền",
            "kind": "cooperative",
            "province": "92",
            "commune": "phong-dien",
        },
    }
    documents = [
        {"kind": "form_01", "present": True},
        {"kind": "form_02", "present": True},
        {"kind": "food_safety_certificate", "present": True},
    ]
    opened = producer.open_case(case_id, product, documents)
    print(f"opened {case_id} in state {opened['case']['state']}")
    # A retry of the same request (same Idempotency-Key) opens nothing twice.
    again = producer.open_case(case_id, product, documents)
    assert again["replayed"] and again["events"] == opened["events"], again

    filed = producer.take(case_id, "file_dossier")
    due = filed["case"].get("deadline", {}).get("due")
    print(f"filed at the commune; the commune decides by {due}")

    # A stale version is refused with the current one.
    try:
        who["commune"].take(case_id, "commune_propose", version=1)
        raise SystemExit("a stale If-Match was accepted")
    except Problem as p:
        assert p.status == 412 and p.code == "version-mismatch", p
        current = p.body["current_version"]
    who["commune"].take(case_id, "commune_propose", version=current)
    who["office"].take(case_id, "province_accept")
    who["advisory"].take(case_id, "advisory_report")
    view = who["chair"].case(case_id)
    may = [a["transition"] for a in view["available"]] + [a["action"] for a in view.get("actions", [])]
    print(f"in {view['state']} ({view['state_label']['en']}); the chair may: {', '.join(may)}")
    assert "constitute_council" in may, view

    # The council of five: the chair and four members.
    council = [{"id": "hd-chu-tich", "chair": True}] + [{"id": f"hd-m{i}"} for i in range(1, 5)]
    path = f"/api/v1/cases/{quote(case_id, safe='')}/council/province_council"
    who["chair"]._call("POST", path + "/members", {"members": council},
                       {"Idempotency-Key": f"council-{case_id}"})
    criteria = who["m1"].get("/api/v1/plugins/criteria-26-2026/criteria/1")
    template = who["m1"].get("/api/v1/plugins/criteria-26-2026/criteria/1/template")
    for name, target in [("chair", 80.0), ("m1", 81.0), ("m2", 82.0), ("m3", 81.0), ("m4", 80.0)]:
        sheet = sheet_for(criteria, template, target, 4)
        preview = who[name]._call("POST", "/api/v1/plugins/criteria-26-2026/score", sheet).json()
        done = who[name]._call("POST", path + "/sheets", {"sheet": sheet},
                               {"Idempotency-Key": f"sheet-{case_id}-{name}"}).json()
        recorded = sheet_result(done["events"][0]["payload"])
        total = recorded["total"]
        assert abs(total - preview["evaluation"]["total"]) < 1e-9, (total, preview)
        print(f"  {name:>5} scored {total:.2f} (plugin {recorded['plugin']['sha256'][:12]}…)")
    who["chair"].take(case_id, "province_close")
    result = who["chair"].get(path)["result"]
    print(f"council result: {result['total']:.2f} points, {result['stars']} stars")
    # The producer may not certify its own product.
    try:
        producer.take(case_id, "province_certify")
        raise SystemExit("the producer certified its own product")
    except Problem as p:
        assert p.status == 403 and p.code == "role-not-allowed", p
    certified = who["decider"].take(case_id, "province_certify")
    cert = certified["case"]["certificate"]
    print(f"certified: {cert['stars']} stars, valid {cert['issued_on']} to {cert['expires_on']}")
    assert cert["stars"] == 4, cert

    final = who["office"].case(case_id)
    assert final["stars"] == 4 and final["state"] == "certified", final
    verified = who["office"].get(f"/api/v1/cases/{quote(case_id, safe='')}/verify")
    assert verified["valid"], verified
    print(f"{case_id}: {final['version']} events, hash chain verifies")
    return 0


if __name__ == "__main__":
    sys.exit(main())
