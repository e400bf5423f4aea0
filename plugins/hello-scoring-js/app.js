// Your first ocop scoring plugin in JavaScript: the three-criterion tutorial sheet of
// plugins/hello-scoring, with one knock-out, scoring exactly as the Rust version does.
// Build it with `cargo run -p ocop-cli -- plugin build plugins/hello-scoring-js`.
//
// WIT to JavaScript: records are objects with camelCase fields, `list<u8>` a Uint8Array,
// an `option` the value or `undefined`, a variant `{ tag, val }`; an `err` result is thrown.

import { band, belowMinimum, cap, points, stars } from './ocop_rules.js';

const text = (vi, en) => ({ vi, en });

/** One criterion: options as [label, whole points, minimum mark or undefined]. */
function criterion(id, part, title, options) {
  return {
    id,
    part,
    section: part,
    title,
    max: Math.max(...options.map(([, p]) => points(p))),
    branch: undefined,
    options: options.map(([label, p, m]) => ({
      label: text(label, label),
      points: points(p),
      minStars: m,
    })),
    stop: undefined,
  };
}

const PARTS = [['A', 40], ['B', 25], ['C', 35]];

function sheet(productSet) {
  return {
    productSet,
    title: text('Bộ tiêu chí mẫu', 'Sample criteria'),
    legalBasis: 'tutorial',
    knockouts: [
      {
        id: 'no_food_safety_certificate',
        label: text('Không có giấy chứng nhận ATTP', 'No food-safety certificate'),
        fact: 'food_safety_certificate',
      },
    ],
    parts: PARTS.map(([code, max]) => ({ code, title: text(code, code), max: points(max) })),
    sections: PARTS.map(([code, max]) => ({
      part: code,
      code,
      title: text(code, code),
      max: points(max),
    })),
    criteria: [
      criterion('1', 'A', text('Nguồn nguyên liệu', 'Raw material'), [
        ['none', 0, undefined],
        ['local', 20, 3],
        ['all local', 40, undefined],
      ]),
      criterion('2', 'B', text('Tiếp thị', 'Marketing'), [
        ['none', 0, undefined],
        ['some', 25, undefined],
      ]),
      criterion('3', 'C', text('Chất lượng', 'Quality'), [
        ['poor', 0, undefined],
        ['good', 20, undefined],
        ['excellent', 35, 5],
      ]),
    ],
    branches: [],
    // Every fact the plugin reads; an answer sheet may state no other.
    facts: [
      {
        id: 'food_safety_certificate',
        label: text('Có giấy chứng nhận ATTP', 'Holds a food-safety certificate'),
      },
    ],
  };
}

function fail(code, message) {
  throw { code, message };
}

export function describe() {
  return {
    name: 'hello-scoring-js',
    version: '0.1.0',
    legalBasis: 'tutorial',
    productSets: new Uint8Array([1]),
    checks: [],
  };
}

export function criteria(productSet) {
  if (productSet !== 1) fail('unknown-set', `no sheet for set ${productSet}`);
  return sheet(1);
}

export function score(answers) {
  const s = sheet(answers.productSet);
  if (answers.answers.length !== s.criteria.length) fail('answer-count', 'answer every criterion');
  const lines = [];
  const parts = { A: 0, B: 0, C: 0 };
  const failed = [];
  s.criteria.forEach((c, i) => {
    const chosen = answers.answers[i];
    if (chosen === undefined) fail('unanswered', `criterion ${c.id} has no answer`);
    if (chosen >= c.options.length) {
      fail('answer-out-of-range', `criterion ${c.id} has no option ${chosen}`);
    }
    const option = c.options[chosen];
    // A minimum mark on a better option than the one chosen fails that rank.
    const below = belowMinimum(c.options, chosen);
    if (below !== undefined) failed.push(below);
    parts[c.part] += option.points;
    lines.push({
      chosen,
      points: option.points,
      note: below === undefined ? { tag: 'scored' } : { tag: 'below-minimum', val: below },
    });
  });
  const total = parts.A + parts.B + parts.C;
  const knockouts = s.knockouts.filter((k) => !answers.facts.includes(k.fact)).map((k) => k.id);
  const b = band(total);
  const c = cap(failed);
  return {
    lines,
    partA: parts.A,
    partB: parts.B,
    partC: parts.C,
    total,
    band: b,
    cap: c,
    knockouts,
    stars: stars(b, c, knockouts.length > 0),
  };
}
