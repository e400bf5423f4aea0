"""Rules shared by every OCOP criteria sheet (Decision 26/2026/QĐ-TTg, Art. 3.3 and Annex
II), for scoring plugins written in Python. The same rules as the Rust crate
``ocop_rules::{points, band, cap, below_minimum, stars}``; points are hundredths (a
sheet's 100 points are 10,000). ``ocop plugin build`` puts this module on the plugin's
path: ``from ocop_rules import band, cap, stars``.
"""


def points(whole):
    """Whole points as hundredths: ``points(20) == 2000``."""
    return whole * 100


def band(total):
    """The star band a total (in hundredths) reaches: 90+ five, 70+ four, 50+ three,
    30+ two, below one."""
    if total >= 9000:
        return 5
    if total >= 7000:
        return 4
    if total >= 5000:
        return 3
    if total >= 3000:
        return 2
    return 1


def cap(failed_levels):
    """The highest rank allowed when the minimums of ``failed_levels`` (star levels 3 to 5)
    are not met: one below the lowest failed level, or 5."""
    levels = [level for level in failed_levels if 3 <= level <= 5]
    return min(levels) - 1 if levels else 5


def below_minimum(options, chosen):
    """The lowest minimum mark (``min_stars``) on an option worth more than the one chosen
    (or as much and listed after it), or None. ``options`` are the criterion's options
    (objects with ``points`` and ``min_stars``)."""
    if 0 <= chosen < len(options):
        chosen_points = options[chosen].points
    else:
        chosen_points = 0
    marks = [
        o.min_stars
        for i, o in enumerate(options)
        if (o.points > chosen_points or (o.points == chosen_points and i > chosen))
        and o.min_stars is not None
    ]
    return min(marks) if marks else None


def stars(band_, cap_, knocked_out):
    """The stars a product gets: the lower of its band and cap, or None when knocked out."""
    return None if knocked_out else min(band_, cap_)
