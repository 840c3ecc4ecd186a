"""The catalogue: the shipped subset loads idempotently, bad rows are reported, admins' edits
leave history, signed-in users read the entries."""

from pathlib import Path

import pytest
from django.core.management import call_command

from exportcontrol.models import ControlEntry, ControlEntryChange
from exportcontrol.services import control_entries_load, control_entry_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUBSET = (
    Path(__file__).resolve().parents[2] / "exportcontrol" / "data" / "export_control_subset.csv"
)


def test_the_shipped_subset_is_marked_and_loads_idempotently(capsys):
    # given the shipped file, which says it is a subset
    assert "SUBSET" in SUBSET.read_text(encoding="utf-8").splitlines()[0]
    # when it is loaded twice
    call_command("load_export_control", str(SUBSET))
    first = capsys.readouterr().out
    call_command("load_export_control", str(SUBSET))
    second = capsys.readouterr().out
    # then the second run changes nothing
    count = ControlEntry.objects.count()
    assert count >= 4
    assert f"{count} created" in first
    assert f"0 created, 0 updated, {count} unchanged" in second
    assert ControlEntryChange.objects.count() == count
    entry = ControlEntry.objects.get(code="086501X")
    assert entry.level == "restricted"
    assert entry.catalogue == "export"


def test_bad_rows_are_reported_and_good_rows_load():
    text = (
        "catalogue,code,name_zh,name_en,control_points,revision\n"
        "export,123456J,禁止测试,Prohibited test,,2023\n"
        "export,12345,坏编号,Bad code,,2023\n"
        "moon,123457X,坏目录,Bad catalogue,,2023\n"
        "import,123458X,进口限制测试,Import restricted test,,2021\n"
        "export,123459X,,No Chinese name,,2023\n"
    )
    report = control_entries_load(text=text)
    assert report.created == 2
    assert [line for line, _message in report.errors] == [3, 4, 6]
    assert ControlEntry.objects.get(code="123456J").level == "prohibited"
    assert ControlEntry.objects.get(code="123458X").catalogue == "import"
    # a changed row updates the entry and writes a history row
    report = control_entries_load(text=text.replace("禁止测试", "禁止测试（修订）"))
    assert report.updated == 1
    change = ControlEntryChange.objects.filter(entry_code="123456J").first()
    assert change.action == "changed"
    assert change.changes["name_zh"] == ["禁止测试", "禁止测试（修订）"]


def test_a_file_without_the_columns_is_refused_whole():
    report = control_entries_load(text="code;name\n085001J;x\n")
    assert report.created == 0
    assert report.errors
    assert not ControlEntry.objects.exists()


def test_admin_edit_writes_history(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    entry = control_entry_save(
        entry=ControlEntry(code="086502X", name_zh="计算机通用软件编制技术", revision="2023")
    )
    client.force_login(admin)
    response = client.post(
        f"/admin/exportcontrol/controlentry/{entry.pk}/change/",
        {
            "catalogue": "export",
            "code": "086502X",
            "name_zh": "计算机通用软件编制技术",
            "name_en": "General-purpose software",
            "control_points": "",
            "revision": "2023",
            "is_active": "on",
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    change = ControlEntryChange.objects.filter(entry=entry).first()
    assert change.actor == admin
    assert change.changes["name_en"] == ["", "General-purpose software"]


def test_entries_api_is_for_signed_in_users(api_client, api_client_for):
    control_entry_save(entry=ControlEntry(code="086501X", name_zh="信息处理技术", revision="2023"))
    assert api_client.get("/api/v1/export-control-entries/").status_code in (401, 403)
    user = UserFactory(roles=["enterprise"])
    body = api_client_for(user).get("/api/v1/export-control-entries/?level=restricted").json()
    assert [row["code"] for row in body["results"]] == ["086501X"]
    assert body["results"][0]["level"] == "restricted"


def test_entry_list_page(client):
    control_entry_save(entry=ControlEntry(code="086501X", name_zh="信息处理技术", revision="2023"))
    client.force_login(UserFactory(roles=["enterprise"]))
    page = client.get("/export-control/?q=信息")
    assert page.status_code == 200
    assert 'data-code="086501X"' in page.text
