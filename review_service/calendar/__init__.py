"""Working days and deadlines (DESIGN.md §8).

- :mod:`.days`: :class:`Calendar` and :class:`DueDate`, pure working-day arithmetic
  on ``chinesecalendar`` overlaid with loaded year files (provisional beyond them);
- :mod:`.yearfile`: the year-file format, its safe reading and validation;
- :mod:`.models`, :mod:`.operations`, :mod:`.queries`: loaded years in the database
  (``load_calendar_year``, ``calendar_from_db``).
"""

from review_service.calendar.days import PACKAGE_YEARS, Calendar, DueDate
from review_service.calendar.yearfile import YearFileError, YearSpec, parse_year, read_year_file

__all__ = ["PACKAGE_YEARS", "Calendar", "DueDate", "YearFileError", "YearSpec", "parse_year", "read_year_file"]
