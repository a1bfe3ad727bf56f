"""Pages of a long list: how many, and where one starts (the task list and the plan's timeline)."""
from __future__ import annotations


def page_count(matching: int, page_size: int) -> int:
    """Pages needed for `matching` rows (at least one, which may be empty)."""
    return max(1, -(-matching // page_size))


def first_row(page: int, matching: int, page_size: int) -> int:
    """Position of page `page`'s first row (pages count from 1; below 1 is the first, past the end the last)."""
    return (min(max(1, page), page_count(matching, page_size)) - 1) * page_size


class Paged:
    """For a frozen dataclass holding one page of rows with `matching`, `first` and `page_size`."""

    matching: int
    first: int
    page_size: int

    @property
    def pages(self) -> int:
        return page_count(self.matching, self.page_size)

    @property
    def page(self) -> int:
        return self.first // self.page_size + 1
