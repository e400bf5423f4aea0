// Rules shared by every OCOP criteria sheet (Decision 26/2026/QĐ-TTg, Art. 3.3 and Annex
// II), for scoring plugins written in JavaScript. The same rules as the Rust crate
// `ocop_rules::{points, band, cap, below_minimum, stars}`; points are hundredths (a
// sheet's 100 points are 10,000). `ocop plugin build` puts this module beside the plugin's
// sources: `import { band, cap, stars } from './ocop_rules.js';`

/** Whole points as hundredths: `points(20) === 2000`. */
export function points(whole) {
  return whole * 100;
}

/** The star band a total (in hundredths) reaches: 90+ five, 70+ four, 50+ three, 30+ two,
 * below one. */
export function band(total) {
  if (total >= 9000) return 5;
  if (total >= 7000) return 4;
  if (total >= 5000) return 3;
  if (total >= 3000) return 2;
  return 1;
}

/** The highest rank allowed when the minimums of `failedLevels` (star levels 3 to 5) are
 * not met: one below the lowest failed level, or 5. */
export function cap(failedLevels) {
  let lowest = null;
  for (const level of failedLevels) {
    if (level >= 3 && level <= 5 && (lowest === null || level < lowest)) lowest = level;
  }
  return lowest === null ? 5 : lowest - 1;
}

/** The lowest minimum mark (`minStars`) on an option worth more than the one chosen (or as
 * much and listed after it), or undefined. `options` are the criterion's options (objects
 * with `points` and `minStars`). */
export function belowMinimum(options, chosen) {
  const chosenPoints = chosen >= 0 && chosen < options.length ? options[chosen].points : 0;
  let lowest;
  options.forEach((o, i) => {
    const better = o.points > chosenPoints || (o.points === chosenPoints && i > chosen);
    if (better && o.minStars !== undefined && o.minStars !== null) {
      if (lowest === undefined || o.minStars < lowest) lowest = o.minStars;
    }
  });
  return lowest;
}

/** The stars a product gets: the lower of its band and cap, or undefined when knocked
 * out. */
export function stars(band, cap, knockedOut) {
  return knockedOut ? undefined : Math.min(band, cap);
}
