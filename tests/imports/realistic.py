"""A generated export of another platform, in the shape real ones have: titles up to 300
characters, empty fields, HTML fragments, stray whitespace, Chinese and English rows, duplicate
rows, unknown categories and stages, formula cells and a patent number with a wrong check digit.

`expected` counts what an import must make of it, so tests compare figures, not guesses."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from catalog.validators import patent_check_character

HEADER = [
    "ID",
    "Title",
    "Summary",
    "Description",
    "Sector",
    "Stage",
    "Country",
    "Keywords",
    "Patents",
    "Price",
]
SECTORS = ["1.1", "高效节能装备制造", "Advanced environmental protection equipment", "2.4", "3.2"]
STAGES = ["Under R&D", "At usable level", "Proven record of commercial use", "TRL 7", "中试"]
COUNTRIES = ["China", "Germany", "Jiangsu", "CN-GD", " 浙江省 ", "Ethiopia"]


def valid_patent(serial: int) -> str:
    digits = f"20201{serial % 10_000_000:07d}"
    return f"ZL{digits}.{patent_check_character(digits)}"


def wrong_patent(serial: int) -> str:
    number = valid_patent(serial)
    wrong = (int(number[-1]) + 1) % 10 if number[-1] != "X" else 0
    return number[:-1] + str(wrong)


@dataclass
class Expected:
    refused: dict[int, str] = field(default_factory=dict)  # file row number -> why
    duplicates: set[int] = field(default_factory=set)
    formulas: set[int] = field(default_factory=set)
    long_titles: set[int] = field(default_factory=set)

    def imported(self, total: int) -> int:
        return total - len(self.refused) - len(self.duplicates)


def realistic_rows(count: int = 3000) -> tuple[list[list[str]], Expected]:
    """`count` data rows (after the header) and what an import must make of them."""
    expected = Expected()
    rows: list[list[str]] = []
    for index in range(count):
        number = len(rows) + 2  # the file's row number (the header is row 1)
        if index % 97 == 96 and rows:  # an exact duplicate of the previous row
            rows.append(list(rows[-1]))
            if number - 1 in expected.refused:
                expected.refused[number] = expected.refused[number - 1]
            else:
                expected.duplicates.add(number)
            continue
        chinese = index % 2 == 0
        if chinese:
            title = f"  高效{index}号  厌氧反应器\t处理高浓度有机废水技术 "
            summary = f"<p>采用内循环厌氧反应器，COD 去除率 &gt; 85%。</p><p>编号 {index}</p>"
            description = "<ul><li>工艺：厌氧+好氧</li><li>规模：200 吨/天</li></ul>" * 3
        else:
            title = f"Membrane bioreactor   for municipal wastewater <b>No. {index}</b>"
            summary = f"Compact MBR&nbsp;plant, {index} m³/d.\n\n\n  Low sludge yield."
            description = "<div>Process: <i>MBR</i> + UV.</div><script>alert(1)</script>"
        if index % 50 == 10:  # longer than the 200 (Chinese) or 250 (English) a title holds
            title = ("高浓度有机废水厌氧处理与沼气回收利用一体化技术，" * 13)[:300]
            expected.long_titles.add(number)
        if index % 50 == 11:
            title = ("Very long title of an imported listing with many words " * 6)[:300]
            expected.long_titles.add(number)
        if index % 422 == 5:  # an English row, so its title stays in the row's language
            title = '=HYPERLINK("http://example.com/steal","click me")'
            expected.formulas.add(number)
        sector = SECTORS[index % len(SECTORS)]
        stage = STAGES[index % len(STAGES)]
        patents = valid_patent(index) if index % 7 == 0 else ""
        if index % 37 == 3:
            sector = "Blue economy (unknown)"
            expected.refused[number] = "category"
        elif index % 89 == 7:
            stage = "Somewhere in between"
            expected.refused[number] = "trl"
        elif index % 101 == 50:
            stage = ""
            expected.refused[number] = "trl"
        elif index % 313 == 13:
            patents = wrong_patent(index)
            expected.refused[number] = "patent"
        elif index % 401 == 77:
            title = "   <br> "
            expected.refused[number] = "title"
        elif index % 25 == 0:  # a title without its summary: the listing's language is incomplete
            summary = ""
            expected.refused[number] = "summary"
        rows.append(
            [
                f" WG-{index:05d} ",
                title,
                summary,
                description,
                sector,
                stage,
                COUNTRIES[index % len(COUNTRIES)] if index % 9 else "",
                "厌氧；废水, MBR" if index % 3 else "",
                patents,
                f"{index * 10},000" if index % 4 == 0 else ("面议" if index % 4 == 1 else ""),
            ]
        )
    return rows, expected


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


MAPPING = {
    "ID": "source_id",
    "Title": "title",
    "Summary": "summary",
    "Description": "description",
    "Sector": "category",
    "Stage": "trl",
    "Country": "region",
    "Keywords": "keywords",
    "Patents": "patents",
    "Price": "asking_price",
}
