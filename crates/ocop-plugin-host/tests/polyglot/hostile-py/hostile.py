"""A hostile scoring plugin in Python: its ``score`` misbehaves according to the product
set it is asked to score, so that one component (one cold compile) exercises every way an
interpreted plugin can go wrong. Its sheet is the tutorial's (three criteria, one
knock-out). What it reads of the world it returns as a refusal (code ``probe``), so that the
test can compare runs.

| set | behaviour |
|---|---|
| 1 | loops forever |
| 2 | allocates until the memory limit |
| 3 | recurses without end |
| 4 | raises an exception |
| 5 | reads /etc/passwd and lists / |
| 6 | opens a socket |
| 7 | reads the clocks twice |
| 8 | reads randomness twice (random, os.urandom, SystemRandom) |
| 9 | sleeps for an hour |
| 10 | prints a megabyte, then behaves |
| 11 | behaves |
| 12 | calls sys.exit(3) |
| 13 | reads the environment and arguments |
"""

import os
import sys
import time

import wit_world
from componentize_py_types import Err
from wit_world.imports import types as t

from ocop_rules import band, below_minimum, cap, points, stars

SETS = 13


def text(s):
    return t.Label(vi=s, en=s)


def sheet(product_set):
    def criterion(id_, part, options):
        return t.Criterion(
            id=id_,
            part=part,
            section=part,
            title=text(id_),
            max=max(points(p) for (p, _) in options),
            branch=None,
            options=[
                t.CriterionOption(label=text(str(p)), points=points(p), min_stars=m)
                for (p, m) in options
            ],
            stop=None,
        )

    parts = [("A", 40), ("B", 25), ("C", 35)]
    return t.CriteriaSheet(
        product_set=product_set,
        title=text("hostile"),
        legal_basis="test",
        knockouts=[
            t.Knockout(
                id="no_food_safety_certificate",
                label=text("no certificate"),
                fact="food_safety_certificate",
            )
        ],
        parts=[t.Part(code=c, title=text(c), max=points(m)) for (c, m) in parts],
        sections=[t.Section(part=c, code=c, title=text(c), max=points(m)) for (c, m) in parts],
        criteria=[
            criterion("a", "A", [(0, None), (20, 3), (40, None)]),
            criterion("b", "B", [(0, None), (25, None)]),
            criterion("c", "C", [(0, None), (20, None), (35, 5)]),
        ],
        branches=[],
        facts=[t.Fact(id="food_safety_certificate", label=text("certificate"))],
    )


def probe(message):
    raise Err(t.PluginError(code="probe", message=message))


def attempt(f):
    try:
        return repr(f())
    except BaseException as e:  # noqa: BLE001 - the point is to see what happens
        return f"{type(e).__name__}: {e}"


def recurse(n):
    return recurse(n + 1) + 1


def honest(answers):
    s = sheet(answers.product_set)
    lines, parts, failed = [], {"A": 0, "B": 0, "C": 0}, []
    for c, chosen in zip(s.criteria, answers.answers):
        option = c.options[chosen]
        below = below_minimum(c.options, chosen)
        if below is not None:
            failed.append(below)
        parts[c.part] += option.points
        note = t.LineNote_Scored() if below is None else t.LineNote_BelowMinimum(below)
        lines.append(t.Line(chosen=chosen, points=option.points, note=note))
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


class WitWorld(wit_world.WitWorld):
    def describe(self):
        return t.PluginInfo(
            name="ocop-hostile-py",
            version="0.1.0",
            legal_basis="test",
            product_sets=bytes(range(1, SETS + 1)),
            checks=[],
        )

    def criteria(self, product_set):
        return sheet(product_set)

    def score(self, answers):
        n = answers.product_set
        if n == 1:
            while True:
                pass
        if n == 2:
            hoard = []
            while True:
                hoard.append(bytearray(1 << 20))
        if n == 3:
            sys.setrecursionlimit(1_000_000)
            recurse(0)
        if n == 4:
            raise ValueError("the hostile plugin raises on purpose")
        if n == 5:
            probe(
                "open: "
                + attempt(lambda: open("/etc/passwd").read(100))
                + " | listdir: "
                + attempt(lambda: os.listdir("/"))
            )
        if n == 6:

            def connect():
                import socket

                s = socket.socket()
                s.connect(("127.0.0.1", 5432))
                return s

            probe("socket: " + attempt(connect))
        if n == 7:
            readings = [
                time.time(),
                time.monotonic_ns(),
                time.perf_counter_ns(),
                time.time(),
                time.monotonic_ns(),
                time.perf_counter_ns(),
            ]
            probe("clocks: " + repr(readings))
        if n == 8:
            import random

            system = random.SystemRandom()
            readings = [
                random.random(),
                os.urandom(8).hex(),
                system.random(),
                random.random(),
                os.urandom(8).hex(),
                system.random(),
            ]
            probe("random: " + repr(readings))
        if n == 9:
            before = time.monotonic_ns()
            time.sleep(3600)
            probe(f"slept: monotonic {before} -> {time.monotonic_ns()}")
        if n == 10:
            for i in range(16_384):
                print("x" * 63)
            print("done printing", file=sys.stderr)
        if n == 12:
            sys.exit(3)
        if n == 13:
            probe(f"environ: {dict(os.environ)!r} argv: {sys.argv!r} cwd: " + attempt(os.getcwd))
        return honest(answers)
