#!/usr/bin/env python3
"""Verify the Annex II criteria sheets written by extract.py.

Usage:  python3 check.py [-v] [--sheets DIR]

For every ../sheets/set-NN.json it checks
  * each criterion's printed maximum equals the best of its options
    (for set-26 branches: every branch's best option),
  * each sub-group's printed maximum equals the sum of its criteria,
  * each section's printed maximum equals the sum of its criteria
    (a sub-group counts with its printed maximum),
  * each part's printed maximum equals the sum of its sections, equals the
    "(NN Điểm)" of its heading, and parts are A=40, B=25, C=35,
  * the parts add up to 100 and the printed total is 100,
  * every option has numeric points >= 0,
  * at most one option per criterion (branch) per star mark, and a higher
    star mark never sits on an option worth fewer points,
  * ids are unique and the printed numbering is regular,
and that every Vietnamese string (*_vi fields) has an entry in
../sheets/en.json (unused entries are reported).

Every discrepancy must be listed in the sheet's "anomalies" (same kind and
where); a listed anomaly of a checkable kind that no longer matches anything
is an error too.  Prints one line per sheet; exits 1 on any error.
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHEETS = os.path.normpath(os.path.join(HERE, "..", "sheets"))
EXPECTED_PARTS = {"A": 40, "B": 25, "C": 35}
CHECKABLE = {"part_heading", "part_sum", "part_expected", "section_sum",
             "subgroup_sum", "criterion_max", "total", "numbering",
             "duplicate_id", "star_dup", "star_order", "points", "option_order",
             "blank_points", "value_cell", "star_mark"}
INFO_KINDS = {"text", "structure"}


def num_ok(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0


def fmt(v):
    return str(v)


def check_options(opts, where, issues):
    best = None
    by_star = {}
    for o in opts:
        p = o.get("points")
        if not num_ok(p):
            issues.append(("points", where, f"option {o.get('text_vi', '')[:40]!r} has points {p!r}"))
            continue
        best = p if best is None else max(best, p)
        s = o.get("min_stars")
        if s is not None:
            if s not in (3, 4, 5):
                issues.append(("star_dup", where, f"invalid min_stars {s}"))
            if s in by_star:
                issues.append(("star_dup", where, f"two options marked {s} stars"))
            by_star[s] = p
    pts = [o.get("points") for o in opts if num_ok(o.get("points"))]
    if any(b <= a for a, b in zip(pts, pts[1:])):
        issues.append(("option_order", where, f"points not strictly increasing: {pts}"))
    for o in opts:
        if "points_printed" in o:
            issues.append(("blank_points", where, f"option {o.get('text_vi', '')[:40]!r} printed {o['points_printed']!r}"))
    marks = sorted(by_star)
    for a, b in zip(marks, marks[1:]):
        if by_star[b] < by_star[a]:
            issues.append(("star_order", where, f"{b}-star option worth {by_star[b]} < {a}-star option worth {by_star[a]}"))
    return best


def strings(obj, acc):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k.endswith("_vi"):
                if isinstance(v, str):
                    acc.add(v)
                elif isinstance(v, list):
                    acc.update(x for x in v if isinstance(x, str))
            else:
                strings(v, acc)
    elif isinstance(obj, list):
        for x in obj:
            strings(x, acc)


def check_sheet(sh):
    issues = []
    stats = {"criteria": 0, "options": 0}
    ids = set()
    part_sums = {}
    sec_codes = []
    for p in sh["parts"]:
        pw = f"part {p['code']}"
        ssum = 0
        for s in p["sections"]:
            sw = f"section {s['code']}"
            if "printed_max_cell" in s:
                issues.append(("value_cell", sw, f"score cell printed {s['printed_max_cell']!r}"))
            sec_codes.append(s["code"])
            total = 0
            groups = {g["id"]: g for g in s.get("subgroups", [])}
            gsum = {gid: 0 for gid in groups}
            idx = 0
            for c in s["criteria"]:
                cw = f"criterion {c['id']}"
                stats["criteria"] += 1
                if c["id"] in ids:
                    issues.append(("duplicate_id", cw, "duplicate criterion id"))
                ids.add(c["id"])
                # numbering
                pid = c.get("printed_id", c["id"])
                if c.get("section_level"):
                    if pid != s["code"]:
                        issues.append(("numbering", cw, "section-level criterion id differs from section"))
                else:
                    parts = pid.split(".")
                    idx += 1 if not c.get("subgroup") or pid.endswith(".1") else 0
                    if parts[0] != s["code"]:
                        issues.append(("numbering", cw, f"id not under section {s['code']}"))
                if "branches" in c:
                    if c["options"]:
                        issues.append(("structure", cw, "branches and options together"))
                    bests = []
                    for b in c["branches"]:
                        bw = f"{cw} case {b['case']}"
                        stats["options"] += len(b["options"])
                        bb = check_options(b["options"], bw, issues)
                        bests.append(bb)
                        if bb != c["printed_max"]:
                            issues.append(("criterion_max", bw, f"printed {fmt(c['printed_max'])}, best option {fmt(bb)}"))
                else:
                    stats["options"] += len(c["options"])
                    best = check_options(c["options"], cw, issues)
                    if best != c["printed_max"]:
                        issues.append(("criterion_max", cw, f"printed {fmt(c['printed_max'])}, best option {fmt(best)}"))
                if not num_ok(c["printed_max"]):
                    issues.append(("points", cw, f"printed max {c['printed_max']!r}"))
                    continue
                if c.get("subgroup"):
                    gsum[c["subgroup"]] += c["printed_max"]
                else:
                    total += c["printed_max"]
            # sequential numbering of criteria inside the section
            seq = [c.get("printed_id", c["id"]) for c in s["criteria"] if not c.get("section_level")]
            top = []
            for cid in seq:
                t = ".".join(cid.split(".")[:2])
                if not top or top[-1] != t:
                    top.append(t)
            for g in groups:
                if g not in top:
                    pass
            want = [f"{s['code']}.{k}" for k in range(1, len(top) + 1)]
            if top != want:
                issues.append(("numbering", sw, f"criteria numbered {top}, expected {want}"))
            for gid, g in groups.items():
                if gsum[gid] != g["printed_max"]:
                    issues.append(("subgroup_sum", f"subgroup {gid}", f"printed {fmt(g['printed_max'])}, criteria sum {fmt(gsum[gid])}"))
                total += g["printed_max"]
                leaves = [c.get("printed_id", c["id"]) for c in s["criteria"] if c.get("subgroup") == gid]
                lw = [f"{gid}.{k}" for k in range(1, len(leaves) + 1)]
                if leaves != lw:
                    issues.append(("numbering", f"subgroup {gid}", f"criteria numbered {leaves}, expected {lw}"))
            if total != s["printed_max"]:
                issues.append(("section_sum", sw, f"printed {fmt(s['printed_max'])}, criteria sum {fmt(total)}"))
            ssum += s["printed_max"]
        part_sums[p["code"]] = ssum
        if p.get("sections_sum") != ssum:
            issues.append(("structure", pw, f"sections_sum field {p.get('sections_sum')} != {ssum}"))
        if ssum != p["printed_max"]:
            issues.append(("part_sum", pw, f"printed {fmt(p['printed_max'])}, sections sum {fmt(ssum)}"))
        if p.get("heading_max") is not None and p["heading_max"] != p["printed_max"]:
            issues.append(("part_heading", pw, f"heading says {p['heading_max']}, score cell {fmt(p['printed_max'])}"))
        if EXPECTED_PARTS.get(p["code"]) != p["printed_max"]:
            issues.append(("part_expected", pw, f"printed {fmt(p['printed_max'])}, expected {EXPECTED_PARTS.get(p['code'])}"))
    if [p["code"] for p in sh["parts"]] != ["A", "B", "C"]:
        issues.append(("structure", "sheet", "parts are not A, B, C"))
    want = [str(k) for k in range(1, len(sec_codes) + 1)]
    if sec_codes != want:
        issues.append(("numbering", "sheet", f"sections numbered {sec_codes}"))
    if len(set(sec_codes)) != len(sec_codes):
        issues.append(("duplicate_id", "sheet", "duplicate section code"))
    kids = [k["id"] for k in sh["knockouts"]]
    if len(set(kids)) != len(kids):
        issues.append(("duplicate_id", "knockouts", "duplicate knock-out id"))
    tot = sum(p["printed_max"] for p in sh["parts"])
    if tot != 100 or sh.get("total_printed") != 100:
        issues.append(("total", "sheet", f"parts sum {tot}, printed total {sh.get('total_printed')}"))
    # star-mark anomalies that the extractor preserved
    for p in sh["parts"]:
        for s in p["sections"]:
            for c in s["criteria"]:
                for o in c["options"] + [o for b in c.get("branches", []) for o in b["options"]]:
                    if "star_mark_printed" in o:
                        issues.append(("star_mark", f"criterion {c['id']}", f"option ends with {o['star_mark_printed']!r}"))
    return issues, stats, part_sums


def main():
    global SHEETS
    verbose = "-v" in sys.argv
    if "--sheets" in sys.argv:
        SHEETS = sys.argv[sys.argv.index("--sheets") + 1]
    files = sorted(glob.glob(os.path.join(SHEETS, "set-*.json")))
    errors = 0
    if len(files) != 26:
        print(f"ERROR: expected 26 sheets, found {len(files)}")
        errors += 1
    try:
        with open(os.path.join(SHEETS, "en.json"), encoding="utf-8") as f:
            en = json.load(f)
    except FileNotFoundError:
        en = None
    used = set()
    for path in files:
        with open(path, encoding="utf-8") as f:
            sh = json.load(f)
        issues, stats, sums = check_sheet(sh)
        anomalies = sh.get("anomalies", [])
        listed = {(a["kind"], a["where"]) for a in anomalies}
        found = {(k, w) for k, w, _ in issues}
        bad = [(k, w, d) for k, w, d in issues if (k, w) not in listed]
        stale = [a for a in anomalies if a["kind"] in CHECKABLE and (a["kind"], a["where"]) not in found]
        unknown = [a for a in anomalies if a["kind"] not in CHECKABLE | INFO_KINDS]
        ok = not bad and not stale and not unknown
        errors += 0 if ok else 1
        name = os.path.basename(path)[:-5]
        parts = " ".join(f"{c}={fmt(v)}" for c, v in sums.items())
        print(f"{name} {'OK  ' if ok else 'FAIL'} criteria={stats['criteria']} options={stats['options']} "
              f"{parts} total={fmt(sum(sums.values()))} anomalies={len(anomalies)}")
        for k, w, d in bad:
            print(f"    ERROR {k} @ {w}: {d}")
        for a in stale:
            print(f"    ERROR stale anomaly {a['kind']} @ {a['where']}: no such discrepancy")
        for a in unknown:
            print(f"    ERROR unknown anomaly kind {a['kind']!r}")
        if verbose:
            for a in anomalies:
                print(f"    anomaly {a['kind']} @ {a['where']} (line {a['line']}): {a['what']}")
        strings(sh, used)
    if en is None:
        print("ERROR: sheets/en.json missing")
        errors += 1
    else:
        missing = sorted(s for s in used if s not in en or not isinstance(en[s], str) or not en[s].strip())
        unused = sorted(s for s in en if s not in used)
        print(f"en.json: {len(en)} entries, {len(used)} distinct vi strings, "
              f"{len(missing)} missing, {len(unused)} unused")
        for s in missing[:50 if not verbose else None]:
            print(f"    MISSING {s[:100]!r}")
        for s in unused:
            print(f"    UNUSED  {s[:100]!r}")
        if missing:
            errors += 1
    print("FAILED" if errors else "ALL OK")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
