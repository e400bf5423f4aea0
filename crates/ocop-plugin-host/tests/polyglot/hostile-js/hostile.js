// A hostile scoring plugin in JavaScript: its `score` misbehaves according to the product
// set it is asked to score (the same sets as tests/polyglot/hostile-py where JavaScript
// has the means). What it reads of the world it throws back as a refusal (code `probe`).
//
// 1 loops forever; 2 allocates until the memory limit; 3 recurses without end; 4 throws
// an Error; 5 tries to read a file; 6 tries to open a connection; 7 reads the clocks
// twice; 8 reads randomness twice; 9 waits on a timer for an hour; 10 prints a megabyte,
// then behaves; 11 behaves; 12 (unused); 13 looks for the environment and arguments.

import { band, belowMinimum, cap, points, stars } from './ocop_rules.js';

const SETS = 13;
const text = (s) => ({ vi: s, en: s });

function criterion(id, part, options) {
  return {
    id,
    part,
    section: part,
    title: text(id),
    max: Math.max(...options.map(([p]) => points(p))),
    branch: undefined,
    options: options.map(([p, m]) => ({ label: text(String(p)), points: points(p), minStars: m })),
    stop: undefined,
  };
}

const PARTS = [['A', 40], ['B', 25], ['C', 35]];

function sheet(productSet) {
  return {
    productSet,
    title: text('hostile'),
    legalBasis: 'test',
    knockouts: [
      { id: 'no_food_safety_certificate', label: text('no certificate'), fact: 'food_safety_certificate' },
    ],
    parts: PARTS.map(([code, max]) => ({ code, title: text(code), max: points(max) })),
    sections: PARTS.map(([code, max]) => ({ part: code, code, title: text(code), max: points(max) })),
    criteria: [
      criterion('a', 'A', [[0, undefined], [20, 3], [40, undefined]]),
      criterion('b', 'B', [[0, undefined], [25, undefined]]),
      criterion('c', 'C', [[0, undefined], [20, undefined], [35, 5]]),
    ],
    branches: [],
    facts: [{ id: 'food_safety_certificate', label: text('certificate') }],
  };
}

function probe(message) {
  throw { code: 'probe', message };
}

function attempt(f) {
  try {
    return String(f());
  } catch (e) {
    return `${e && e.name}: ${e && e.message}`;
  }
}

function recurse(n) {
  return recurse(n + 1) + 1;
}

function honest(answers) {
  const s = sheet(answers.productSet);
  const lines = [];
  const parts = { A: 0, B: 0, C: 0 };
  const failed = [];
  s.criteria.forEach((c, i) => {
    const chosen = answers.answers[i];
    const option = c.options[chosen];
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

export function describe() {
  return {
    name: 'ocop-hostile-js',
    version: '0.1.0',
    legalBasis: 'test',
    productSets: new Uint8Array(Array.from({ length: SETS }, (_, i) => i + 1)),
    checks: [],
  };
}

export function criteria(productSet) {
  return sheet(productSet);
}

export function score(answers) {
  switch (answers.productSet) {
    case 1:
      for (;;) {}
    case 2: {
      const hoard = [];
      for (;;) hoard.push(new Uint8Array(1 << 20).fill(1));
    }
    case 3:
      return recurse(0);
    case 4:
      throw new Error('the hostile plugin throws on purpose');
    case 5:
      probe(
        'require: ' + attempt(() => typeof require) +
          ' | fetch file: ' + attempt(() => typeof fetch === 'function' ? fetch('file:///etc/passwd') : 'no fetch'),
      );
    case 6:
      probe(
        'fetch: ' + attempt(() => typeof fetch === 'function' ? fetch('http://127.0.0.1:5432/') : 'no fetch') +
          ' | WebSocket: ' + attempt(() => typeof WebSocket),
      );
    case 7:
      probe(
        'clocks: ' +
          JSON.stringify([Date.now(), attempt(() => performance.now()), new Date().toISOString(), Date.now(), attempt(() => performance.now())]),
      );
    case 8: {
      const bytes = () => attempt(() => Array.from(crypto.getRandomValues(new Uint8Array(8))).join(','));
      probe('random: ' + JSON.stringify([Math.random(), bytes(), Math.random(), bytes()]));
    }
    case 9: {
      let fired = false;
      attempt(() => setTimeout(() => { fired = true; }, 3600 * 1000));
      probe(`timer: fired=${fired}`);
    }
    case 10:
      for (let i = 0; i < 16384; i++) console.log('x'.repeat(63));
      console.error('done printing');
      return honest(answers);
    case 13:
      probe(
        'process: ' + attempt(() => typeof process) + ' | env: ' + attempt(() => JSON.stringify(globalThis.process && process.env)),
      );
    default:
      return honest(answers);
  }
}
