"""The import page names its columns as people read them; the codes a file's header must use are
shown as code, and the error report names each wrong field by its label (issue #14, item 2)."""

import io
import re

import pytest
from django.urls import reverse

from catalog.imports import COLUMNS, template_csv
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CODE = re.compile(r"<code>[^<]*</code>")


def outside_code(html: str) -> str:
    return CODE.sub("", html)


def test_import_page_lists_each_column_by_its_label_with_the_code_as_code(client, owner):
    # given a holder on the import page (Chinese)
    client.login(email=owner.email, password=PASSWORD)
    # when the page is shown
    html = client.get(reverse("catalog:technology_import")).content.decode()
    # then each column has its label, and its header code appears only as code
    assert "标题（中文）" in html and "典型项目每年减排量（吨二氧化碳当量）" in html
    assert "<code>title_zh</code>" in html and "<code>co2e_method</code>" in html
    visible = outside_code(html)
    assert not [column for column in COLUMNS if "_" in column and column in visible]


def test_import_report_names_the_wrong_field_by_its_label(client, owner):
    # given a file whose only row has an impossible TRL
    client.login(email=owner.email, password=PASSWORD)
    header, row = template_csv().splitlines()[:2]
    cells = row.split(",")
    cells[COLUMNS.index("trl")] = "12"
    upload = io.BytesIO((header + "\n" + ",".join(cells) + "\n").encode())
    upload.name = "techs.csv"
    # when it is imported
    html = client.post(reverse("catalog:technology_import"), {"file": upload}).content.decode()
    # then the report names the field by its label
    report = html[html.index('data-testid="import-report"') :]
    assert "技术成熟度（TRL）" in report
