"""Pure rules of the national data: no ORM (STYLE.md section 3).

Desil is BPS's rank of a family's estimated welfare, 1 (poorest tenth) to 10 (DOMAIN.md
section 4). Older DTKS/BDT extracts carry a percentile (0-100) instead; one public analysis
maps percentile 0-10 to desil 1, 11-20 to desil 2, and so on.
"""

import datetime
import math


def desil_of_percentile(percentile: float) -> int:
    """0-10 → 1, 11-20 → 2, …, 91-100 → 10 (a fraction rounds up: 10.5 → 2)."""
    if not 0 <= percentile <= 100:
        raise ValueError(percentile)
    return max(1, min(10, math.ceil(percentile / 10)))


def quarter_of(day: datetime.date) -> str:
    """The quarter an extract belongs to: BPS publishes DTSEN quarterly."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
