"""Your first ocop scoring plugin in Python: the three-criterion tutorial sheet of
plugins/hello-scoring, with one knock-out, scoring exactly as the Rust version does.

Build it with ``cargo run -p ocop-cli -- plugin build plugins/hello-scoring-py``.
"""

import wit_world
from componentize_py_types import Err
from wit_world.imports import types as t

from ocop_rules import band, below_minimum, cap, points, stars


def text(vi, en):
    return t.Label(vi=vi, en=en)


def criterion(id_, part, title, options):
    """One criterion: options as (label, whole points, minimum mark or None)."""
    return t.Criterion(
        id=id_,
        part=part,
        section=part,
        title=title,
        max=max(points(p) for (_, p, _) in options),
        branch=None,
        options=[
            t.CriterionOption(label=text(label, label), points=points(p), min_stars=m)
            for (label, p, m) in options
        ],
        stop=None,
    )


PARTS = [("A", 40), ("B", 25), ("C", 35)]


def sheet(product_set):
    return t.CriteriaSheet(
        product_set=product_set,
        title=text("Bộ tiêu chí mẫu", "Sample criteria"),
        legal_basis="tutorial",
        knockouts=[
            t.Knockout(
                id="no_food_safety_certificate",
                label=text("Không có giấy chứng nhận ATTP", "No food-safety certificate"),
                fact="food_safety_certificate",
            )
        ],
        parts=[t.Part(code=c, title=text(c, c), max=points(m)) for (c, m) in PARTS],
        sections=[
            t.Section(part=c, code=c, title=text(c, c), max=points(m)) for (c, m) in PARTS
        ],
        criteria=[
            criterion(
                "1",
                "A",
                text("Nguồn nguyên liệu", "Raw material"),
                [("none", 0, None), ("local", 20, 3), ("all local", 40, None)],
            ),
            criterion(
                "2",
                "B",
                text("Tiếp thị", "Marketing"),
                [("none", 0, None), ("some", 25, None)],
            ),
            criterion(
                "3",
                "C",
                text("Chất lượng", "Quality"),
                [("poor", 0, None), ("good", 20, None), ("excellent", 35, 5)],
            ),
        ],
        branches=[],
        # Every fact the plugin reads; an answer sheet may state no other.
        facts=[
            t.Fact(
                id="food_safety_certificate",
                label=text("Có giấy chứng nhận ATTP", "Holds a food-safety certificate"),
            )
        ],
    )


def fail(code, message):
    raise Err(t.PluginError(code=code, message=message))


class WitWorld(wit_world.WitWorld):
    def describe(self):
        return t.PluginInfo(
            name="hello-scoring-py",
            version="0.1.0",
            legal_basis="tutorial",
            product_sets=bytes([1]),
            checks=[],
        )

    def criteria(self, product_set):
        if product_set != 1:
            fail("unknown-set", f"no sheet for set {product_set}")
        return sheet(1)

    def score(self, answers):
        s = sheet(answers.product_set)
        if len(answers.answers) != len(s.criteria):
            fail("answer-count", "answer every criterion")
        lines = []
        parts = {"A": 0, "B": 0, "C": 0}
        failed = []
        for c, chosen in zip(s.criteria, answers.answers):
            if chosen is None:
                fail("unanswered", f"criterion {c.id} has no answer")
            if chosen >= len(c.options):
                fail("answer-out-of-range", f"criterion {c.id} has no option {chosen}")
            option = c.options[chosen]
            # A minimum mark on a better option than the one chosen fails that rank.
            below = below_minimum(c.options, chosen)
            if below is not None:
                failed.append(below)
            parts[c.part] += option.points
            lines.append(
                t.Line(
                    chosen=chosen,
                    points=option.points,
                    note=t.LineNote_Scored()
                    if below is None
                    else t.LineNote_BelowMinimum(below),
                )
            )
        total = sum(parts.values())
        knockouts = [k.id for k in s.knockouts if k.fact not in answers.facts]
        b, c = band(total), cap(failed)
        return t.Evaluation(
            lines=lines,
            part_a=parts["A"],
            part_b=parts["B"],
            part_c=parts["C"],
            total=total,
            band=b,
            cap=c,
            knockouts=knockouts,
            stars=stars(b, c, bool(knockouts)),
        )
