#!/usr/bin/env python3
"""Extract the 26 OCOP criteria sheets of Annex II ("PHỤ LỤC II") of
Decision 26/2026/QĐ-TTg into structured JSON.

Usage:  python3 extract.py [path/to/qd-26-2026-QD-TTg.txt]

Reads the plain-text rendering of the decision (HTML table cells separated by
lines that contain only " | ") and writes ../sheets/set-01.json .. set-26.json.
Standard library only; output is deterministic.

What the parser derives by itself: sheet boundaries, titles, product group /
group, knock-out conditions, parts, sections, criteria, options, points,
star marks, requirements, notes (and their rule), implied yes/no options,
set-26 alternative branches.  Everything that needs human judgement (the
anomalies of the printed law, a few ambiguous cells) lives in the tables
OVERRIDES / ANOMALIES below, each entry carrying the line number of the text
it concerns.  The JSON is never edited by hand.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "sheets"))
DEFAULT_SRC = "/work/shared/reference/qd-26-2026-QD-TTg.txt"

# ---------------------------------------------------------------------------
# Manual tables.  Line numbers are 1-based lines of the reference text.
# ---------------------------------------------------------------------------

# Group ("Nhóm") missing from a sheet's sub-heading: taken from Annex I.
#   set -> (line in Annex I, group_vi)
GROUP_FROM_ANNEX_I = {
    23: (756, "Hoa"),
    24: (763, "Cây cảnh"),
    25: (770, "Động vật cảnh"),
    26: (783, "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch"),
}

# Score-column cells that are not a plain number.
#   (set, line of the cell) -> (value used as printed maximum, explanation)
VALUE_CELL_OVERRIDES = {
    # Set 23, section 9: the score cell prints "4" and "1" on two lines.
    (23, 17874): (4, 'score cell prints "4 1" (two numbers); 4 is used, it equals the best option and makes part C sum to 35'),
}

# Options whose score cell is blank: points used instead.
#   (set, line of the option) -> (points, explanation)
OPTION_POINTS_OVERRIDES = {
    # Criterion 1.2 option "Không được cấp giấy chứng nhận chất lượng": score
    # cell empty in these four sheets; the same option prints 0 in sets
    # 1, 2, 3, 6, 8, 12, 13, 18 (the lowest option of a 0..2 scale).
    (4, 3224): (0, "blank score cell"),
    (7, 5457): (0, "blank score cell"),
    (10, 7800): (0, "blank score cell"),
    (11, 8557): (0, "blank score cell"),
}

# Anomalies of the printed text, recorded (never fixed) in the sheet JSON.
# kind is one of
#   part_heading     part heading "(NN Điểm)" differs from its score cell
#   part_sum         part score cell differs from the sum of its sections
#   section_sum      section score cell differs from the sum of its criteria
#   criterion_max    criterion score cell differs from its best option
#   total            sheet total differs from the sum of the parts / 100
#   numbering        printed numbering irregular (ids disambiguated)
#   star_mark        irregular star mark on an option
#   text             typo / formatting irregularity worth knowing
# check.py matches the computed discrepancies against (kind, where).
#   option_order     options of a criterion not strictly increasing in points
#   blank_points     option printed without points (see OPTION_POINTS_OVERRIDES)
#   value_cell       score cell not a single number (see VALUE_CELL_OVERRIDES)
#   set -> list of (kind, where, line, what)
_BLANK = ("criterion 1.2", "option 'Không được cấp giấy chứng nhận chất lượng' has an empty "
          "score cell; recorded as 0 (it prints 0 in the other sheets that have it)")
ANOMALIES = {
    1: [
        ("text", "knockouts", 926, "the knock-out sentence is printed twice (lines 926 and 929); kept once"),
    ],
    3: [
        ("star_mark", "criterion 5.1", 2884,
         "star mark printed with spaces '* * * *'; read as 4 stars, as the same option is marked **** in the other 24 sheets"),
    ],
    4: [
        ("blank_points", _BLANK[0], 3224, _BLANK[1]),
        ("criterion_max", "criterion 7", 3792,
         "option 'Có trên 2 chỉ tiêu' prints 13 points but the criterion (section 7) max is 3; "
         "probably a typo for 3 (the same option is worth 3 in sets 1 and 3); kept as printed"),
        ("text", "section 7", 3780, "typo 'đường khử tự đo' (for 'tự do', free reducing sugar)"),
    ],
    5: [
        ("text", "criterion 8", 4567, "note reads 'Ghi chú: Sản Tiêu chuẩn sản phẩm...' (stray word 'Sản'; other sheets: 'Bản tiêu chuẩn')"),
    ],
    7: [
        ("blank_points", _BLANK[0], 5457, _BLANK[1]),
        ("option_order", "criterion 3.1", 5678,
         "option 'Công ty TNHH; hoặc doanh nghiệp tư nhân...' prints 1 point, the same as the household "
         "option; it is worth 2 in every other sheet; kept as printed"),
        ("text", "criterion 8", 6088, "option bullet printed as 'o' instead of '□'"),
    ],
    8: [
        ("text", "criterion 6.1", 6780, "note repeats a word: 'lông, lông'"),
    ],
    10: [
        ("blank_points", _BLANK[0], 7800, _BLANK[1]),
        ("text", "heading", 7743, "sheet heading reads 'Gia vị khác (muối, hành, tỏi, tiêu,...)'; the Annex II index reads '(muối, hành, tỏi, tiêu)'"),
    ],
    11: [
        ("blank_points", _BLANK[0], 8557, _BLANK[1]),
        ("criterion_max", "criterion 6.1.1", 9050,
         "option 'Có rất ít tạp chất, chấp nhận được' prints 11 points but the criterion max is 2; "
         "probably a typo for 1; kept as printed"),
        ("option_order", "criterion 6.1.1", 9050, "points run 0, 11, 2 (see criterion_max)"),
    ],
    12: [
        ("text", "heading", 9268, "heading lacks 'Bộ sản phẩm:' ('12. Sản phẩm trà từ thực vật khác')"),
    ],
    13: [
        ("text", "heading", 10027, "heading reads '13. Sản phẩm cà phê, ca cao' (no 'Bộ sản phẩm:'); the Annex II index reads 'Cà phê, cacao'"),
    ],
    16: [
        ("text", "criterion 5.3", 12692, "requirement typo 'giá trị độc trưng' (for 'đặc trưng')"),
    ],
    17: [
        ("text", "knockouts", 12918,
         "knock-out clause reads 'hoặc giấy phép sản xuất theo quy định' - a verb is missing "
         "(set 15 reads 'không có giấy phép sản xuất theo quy định'); kept as printed"),
        ("text", "criterion 5.3", 13404, "requirement typo 'giá trị độc trưng' (for 'đặc trưng')"),
    ],
    18: [
        ("text", "knockouts", 13662,
         "knock-out sentence is garbled: '...(GMP đối với thực phẩm bảo vệ hoặc tương đương); Hồ sơ đăng ký bản đăng ký "
         "công bố chất lượng sản phẩm, ghi nhãn sản phẩm, quảng cáo sản phẩm hoặc...' - split as printed"),
    ],
    19: [
        ("text", "heading", 14415, "heading number '19.' printed on its own line"),
        ("text", "knockouts", 14431, "knock-out sentence starts 'Bị loại khi:' instead of 'Hồ sơ bị loại khi:'"),
    ],
    21: [
        ("text", "heading", 15925, "sheet heading reads 'Thủ công mỹ nghệ gia dụng, trang trí'; the Annex II index reads 'Thủ công mỹ nghệ'"),
        ("text", "section 7", 16523, "an applicability sentence ('Áp dụng bắt buộc...') is printed inside the section title cell; stored as a note"),
    ],
    23: [
        ("value_cell", "section 9", 17874,
         "score cell prints '4' and '1' on two lines; 4 is used (it equals the best option and makes part C sum to 35)"),
        ("option_order", "criterion 6.2", 17800,
         "options 'Chấp nhận được' and 'Phù hợp với đặc tính sản phẩm' both print 1 point; kept as printed"),
        ("text", "sheet", 17289, "sub-heading has no 'Nhóm'; group_vi taken from Annex I line 756"),
    ],
    24: [
        ("text", "sheet", 17929, "sub-heading has no 'Nhóm'; group_vi taken from Annex I line 763"),
    ],
    25: [
        ("text", "sheet", 18565, "sub-heading has no 'Nhóm'; group_vi taken from Annex I line 770"),
    ],
    26: [
        ("part_heading", "part A", 19195,
         "part A heading prints '(35 Điểm)' but its score cell prints 40 and its sections sum to 40 (14+12+14); "
         "sheet total 40+25+35 = 100"),
        ("text", "knockouts", 19178, "no knock-out ('Hồ sơ bị loại khi') sentence is printed on this sheet"),
        ("text", "criterion 3.1", 19357,
         "the 3-point option ends '...; hoặc các đối tượng còn lại' ('or the remaining entities'), which literally "
         "gives 3 points to any entity type and makes the 1- and 2-point options moot; kept as printed"),
        ("text", "sheet", 19180, "sub-heading has no 'Nhóm'; group_vi taken from Annex I line 783"),
    ],
}

# ---------------------------------------------------------------------------

NOTE_PREFIXES = ("Ghi chú", "Chú ý", "Lưu ý", "Chỉ áp dụng", "Lựa chọn một trong")


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def number(s):
    s = s.strip().replace(",", ".")
    v = float(s)
    return int(v) if v == int(v) else v


def note_rule(t):
    low = t.lower()
    if "được 0 điểm" in low:
        return "stop_on_zero"
    if "tạp chất" in low and ("không xem xét" in low or "không đánh giá các bước" in low):
        return "stop_sensory"
    if "không đánh giá các bước tiếp theo" in low:
        return "stop"
    if "bị loại" in low or "không đánh giá những sản phẩm" in low:
        return "eliminate"
    return "none"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")


def find_sheets(L):
    """Return [(set_no, start_line, end_line)] (1-based, inclusive)."""
    annex2 = next(i for i, s in enumerate(L, 1) if s.strip() == "PHỤ LỤC II")
    annex3 = next(i for i, s in enumerate(L, 1) if s.strip() == "PHỤ LỤC III")
    starts = []
    want = 1
    for i in range(annex2, annex3):
        s = L[i - 1]
        m = re.match(r"^(\d{1,2})\.(\s|$)", s)  # headings start at column 0
        if m and int(m.group(1)) == want:
            nxt = L[i] if i < len(L) else ""
            if "Bộ sản phẩm" in s or "Sản phẩm" in s or "Bộ sản phẩm" in nxt:
                starts.append((want, i))
                want += 1
    assert len(starts) == 26, starts
    out = []
    for k, (n, st) in enumerate(starts):
        end = (starts[k + 1][1] if k + 1 < len(starts) else annex3) - 1
        out.append((n, st, end))
    return out


def index_titles(L):
    """Set titles from the index table at the top of Annex II."""
    annex2 = next(i for i, s in enumerate(L, 1) if s.strip() == "PHỤ LỤC II")
    cells = split_cells(L, annex2 + 1, annex2 + 200)
    titles = {}
    for k in range(len(cells) - 1):
        t0, t1 = cells[k][1], cells[k + 1][1]
        if re.fullmatch(r"\d+", t0) and t1.startswith("Bộ sản phẩm:"):
            titles[int(t0)] = norm(t1.split(":", 1)[1])
    assert len(titles) == 26, titles
    return titles


def split_cells(L, a, b):
    """Cells between lines a..b (1-based, inclusive): [(first_line, text)]."""
    out, cur, st = [], [], None
    for i in range(a, b + 1):
        s = L[i - 1]
        if s.strip() == "|":
            out.append((st if st else i, norm(" ".join(cur))))
            cur, st = [], None
        else:
            if st is None:
                st = i
            cur.append(s)
    if cur and norm(" ".join(cur)):
        out.append((st, norm(" ".join(cur))))
    return out


def split_knockouts(text):
    """Split 'A hoặc B; hoặc C' at top level (outside parentheses)."""
    parts, depth, buf, i = [], 0, "", 0
    while i < len(text):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if depth == 0:
            m = re.match(r";\s*hoặc\s+|;\s+|\s+hoặc\s+", text[i:])
            if m:
                parts.append(buf)
                buf = ""
                i += m.end()
                continue
        buf += c
        i += 1
    parts.append(buf)
    return [norm(p).rstrip(";").strip() for p in parts if norm(p)]


def parse_header(L, n, st, table_line):
    head = [L[i - 1] for i in range(st, table_line)]
    text = "\n".join(head)
    m = re.search(r"\(Sản phẩm:\s*(.*?)\)", text, re.S)
    assert m, n
    inner = norm(m.group(1))
    mg = re.match(r"(.*?)[.,]\s*Nhóm:\s*(.*)$", inner)
    if mg:
        product_group, group = mg.group(1).strip(), mg.group(2).strip()
    else:
        product_group, group = inner.rstrip("."), None
    # knock-outs
    kos, cur = [], None
    for i in range(st, table_line):
        s = L[i - 1].strip()
        mk = re.match(r"^(Hồ sơ bị loại khi|Bị loại khi):\s*(.*)$", s)
        if mk:
            if cur:
                kos.append(cur)
            cur = [i, mk.group(2)]
        elif cur is not None:
            if not s:
                kos.append(cur)
                cur = None
            else:
                cur[1] += " " + s
    if cur:
        kos.append(cur)
    texts = []
    for line, t in kos:
        t = norm(t)
        if t not in [x[1] for x in texts]:
            texts.append((line, t))
    return product_group, group, texts


class Err(Exception):
    pass


USED = set()


def parse_sheet(L, n, st, end, titles):
    table_line = next(i for i in range(st, end + 1) if L[i - 1].strip() == "Các tiêu chí")
    product_group, group, kos = parse_header(L, n, st, table_line)
    heading = norm(" ".join(L[i - 1] for i in range(st, st + 3)).split("(Sản phẩm:")[0])
    heading = re.sub(r"^\d+\.\s*", "", heading)
    heading = re.sub(r"^Bộ sản phẩm:\s*", "", heading)
    anomalies = []
    if group is None and n in GROUP_FROM_ANNEX_I:
        group = GROUP_FROM_ANNEX_I[n][1]
    cells = split_cells(L, table_line, end)
    i0 = next(k for k, c in enumerate(cells) if c[1] == "Thang điểm") + 1
    iend = next(k for k, c in enumerate(cells) if c[1] == "TỔNG CỘNG")
    total_printed = number(cells[iend + 1][1])
    total_line = cells[iend][0]

    def is_value(t):
        return t == "" or re.fullmatch(r"[\d.,]+(\s+[\d.,]+)*", t) is not None

    # pair text cells with their score cells
    items = []
    k = i0
    while k < iend:
        line, t = cells[k]
        if is_value(t):
            raise Err(f"set {n} line {line}: stray score cell {t!r}")
        val, vline, raw = None, None, None
        if k + 1 < iend and is_value(cells[k + 1][1]):
            vline, vt = cells[k + 1]
            if vt != "":
                if (n, vline) in VALUE_CELL_OVERRIDES:
                    val, raw = VALUE_CELL_OVERRIDES[(n, vline)][0], vt
                    USED.add(("value", n, vline))
                else:
                    val = number(vt)
            k += 2
        else:
            k += 1
        items.append((line, t, val, raw))

    parts = []
    part = sec = crit = None
    branch = None
    seen_ids = {}

    def new_crit(cid, title, pmax, line, synthetic=False):
        nonlocal crit, branch
        printed_id = cid
        if cid in seen_ids:
            seen_ids[cid] += 1
            cid = f"{cid}-{seen_ids[printed_id]}"
        else:
            seen_ids[cid] = 1
        crit = {"id": cid, "title_vi": title, "printed_max": pmax,
                "requirement_vi": None, "notes": [], "implied_options": False,
                "options": [], "line": line}
        if printed_id != cid:
            crit["printed_id"] = printed_id
        if synthetic:
            crit["section_level"] = True
        branch = None
        sec["criteria"].append(crit)
        return crit

    def ensure_crit(line):
        """Options/notes directly under a section: the section is scored as one criterion."""
        if crit is None:
            if sec is None:
                raise Err(f"set {n} line {line}: content outside a section")
            new_crit(sec["code"], sec["title_vi"], sec["printed_max"], sec["line"], synthetic=True)
        return crit

    def add_note(text, line):
        c = ensure_crit(line)
        c["notes"].append({"text_vi": text, "rule": note_rule(text), "line": line})

    for line, t, val, raw in items:
        mp = re.match(r"^Phần\s+([ABC])\s*:?\s*(.*?)\s*\((\d+)\s*điểm\)\s*$", t, re.I)
        mc = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?\.?\s+(.*)$", t)
        ms = re.match(r"^(\d+)\.?\s+(\S.*)$", t)
        mo = re.match(r"^(□|o)\s*(.*)$", t)
        mb = re.match(r"^([a-z])\.\s*Trường hợp\s*(\d+)\s*:\s*(.*)$", t)
        if mp:
            part = {"code": mp.group(1).upper(), "title_vi": mp.group(2).strip(),
                    "printed_max": val, "heading_max": int(mp.group(3)),
                    "sections_sum": None, "line": line, "sections": []}
            parts.append(part)
            sec = crit = branch = None
        elif mc:
            title = mc.group(4)
            req = None
            if "Yêu cầu:" in title:
                title, req = title.split("Yêu cầu:", 1)
                title, req = title.strip(), req.strip()
            if sec is None:
                raise Err(f"set {n} line {line}: criterion outside section")
            if raw is not None:
                raise Err(f"set {n} line {line}: value override on a criterion is not supported")
            if mc.group(3) is None:
                c = new_crit(f"{mc.group(1)}.{mc.group(2)}", title, val, line)
            else:
                # third level (sets 11, 13: 6.1 -> 6.1.1): the preceding
                # two-level item is a sub-group heading, not a criterion.
                gid = f"{mc.group(1)}.{mc.group(2)}"
                groups = sec.setdefault("subgroups", [])
                if not groups or groups[-1]["id"] != gid:
                    prev = sec["criteria"][-1] if sec["criteria"] else None
                    if prev is None or prev["id"] != gid or prev["options"] or prev["notes"]:
                        raise Err(f"set {n} line {line}: sub-criterion without its group")
                    sec["criteria"].pop()
                    groups.append({"id": gid, "title_vi": prev["title_vi"],
                                   "printed_max": prev["printed_max"], "line": prev["line"]})
                c = new_crit(f"{gid}.{mc.group(3)}", title, val, line)
                c["subgroup"] = gid
            if req:
                c["requirement_vi"] = req
        elif mb:
            c = ensure_crit(line)
            branch = {"case": int(mb.group(2)), "label": mb.group(1),
                      "title_vi": mb.group(3).strip(), "options": [], "line": line}
            c.setdefault("branches", []).append(branch)
        elif mo:
            c = ensure_crit(line)
            text = mo.group(2)
            note = None
            if "Ghi chú:" in text:
                text, note = text.split("Ghi chú:", 1)
                note = "Ghi chú: " + note.strip()
                text = text.strip()
            ms_ = re.search(r"\s*(\*(?:\s*\*)*)\s*$", text)
            stars = None
            if ms_:
                text = text[:ms_.start()].rstrip()
                nstar = ms_.group(1).count("*")
                stars = nstar if nstar in (3, 4, 5) else None
            if val is None:
                if (n, line) not in OPTION_POINTS_OVERRIDES:
                    raise Err(f"set {n} line {line}: option without points")
                val, raw = OPTION_POINTS_OVERRIDES[(n, line)][0], ""
                USED.add(("points", n, line))
            opt = {"text_vi": text, "points": val, "min_stars": stars, "line": line}
            if raw is not None:
                opt["points_printed"] = raw
            if mo.group(1) != "□":
                opt["bullet"] = mo.group(1)
            if ms_ and (stars is None or ms_.group(1) != "*" * nstar):
                opt["star_mark_printed"] = ms_.group(1)
            (branch["options"] if branch else c["options"]).append(opt)
            if note:
                add_note(note, line)
        elif t.startswith("Yêu cầu"):
            c = ensure_crit(line)
            req = norm(t.split(":", 1)[1]) if ":" in t else ""
            if c["requirement_vi"]:
                raise Err(f"set {n} line {line}: second requirement")
            c["requirement_vi"] = req
        elif t.startswith(NOTE_PREFIXES):
            add_note(t, line)
        elif t.startswith("(") and val is None:
            # a description printed in its own cell below a title
            target = crit if crit is not None and not crit["options"] and not crit.get("branches") else None
            if target is None and sec is not None and not sec["criteria"]:
                target = sec
            if target is None:
                raise Err(f"set {n} line {line}: orphan description {t[:60]!r}")
            target["title_vi"] = target["title_vi"] + " " + t
        elif ms and not mc:
            if part is None:
                raise Err(f"set {n} line {line}: section outside part")
            title, applies = ms.group(2).strip(), None
            if " Áp dụng bắt buộc" in title:
                # set 21 section 7: an applicability sentence printed in the title cell
                title, applies = [x.strip() for x in title.split(" Áp dụng bắt buộc", 1)]
                applies = "Áp dụng bắt buộc " + applies
            sec = {"code": ms.group(1), "title_vi": title, "printed_max": val,
                   "line": line, "criteria": []}
            if raw is not None:
                sec["printed_max_cell"] = raw
            part["sections"].append(sec)
            crit = branch = None
            if applies:
                add_note(applies, line)
        else:
            raise Err(f"set {n} line {line}: unrecognised cell {t[:80]!r}")

    # post-processing: implied options, sums, clean-up
    for p in parts:
        for s in p["sections"]:
            for c in s["criteria"]:
                if not c["options"] and not c.get("branches"):
                    c["implied_options"] = True
                    c["options"] = [
                        {"text_vi": "Không", "points": 0, "min_stars": None},
                        {"text_vi": "Có", "points": c["printed_max"], "min_stars": None},
                    ]
                if c.get("section_level") and c["title_vi"] != s["title_vi"]:
                    c["title_vi"] = s["title_vi"]
        p["sections_sum"] = sum(s["printed_max"] for s in p["sections"])

    for (kind, where, line, what) in ANOMALIES.get(n, []):
        if not (st <= line <= end):
            raise Err(f"set {n}: anomaly line {line} outside the sheet ({st}-{end})")
        anomalies.append({"kind": kind, "where": where, "line": line, "what": what})

    sheet = {
        "set": n,
        "title_vi": titles[n],
        "product_group_vi": product_group,
        "group_vi": group,
        "source_lines": [st, end],
        "knockouts": [{"id": f"k{j}", "text_vi": t, "line": line}
                      for j, (line, t) in enumerate(
                          [(ln, x) for ln, full in kos for x in split_knockouts(full)], 1)],
        "total_printed": total_printed,
        "total_line": total_line,
        "parts": parts,
        "anomalies": anomalies,
    }
    if kos:
        sheet["knockouts_full_vi"] = [t for _, t in kos]
    if norm(heading) != titles[n]:
        sheet["heading_vi"] = heading
    return sheet


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SRC
    L = read(src)
    titles = index_titles(L)
    os.makedirs(OUT_DIR, exist_ok=True)
    for n, st, end in find_sheets(L):
        sheet = parse_sheet(L, n, st, end, titles)
        path = os.path.join(OUT_DIR, f"set-{n:02d}.json")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            json.dump(sheet, f, ensure_ascii=False, indent=1)
            f.write("\n")
    unused = [("value",) + k for k in VALUE_CELL_OVERRIDES if ("value",) + k not in USED]
    unused += [("points",) + k for k in OPTION_POINTS_OVERRIDES if ("points",) + k not in USED]
    if unused:
        raise Err(f"overrides that matched nothing: {unused}")
    print(f"wrote 26 sheets to {OUT_DIR}")


if __name__ == "__main__":
    main()
