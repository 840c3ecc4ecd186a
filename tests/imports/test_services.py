import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Technology
from core.exports import csv_text
from imports import services
from imports.choices import ImportKind, RowOutcome, RunStatus
from imports.models import ImportRun, ImportSource
from imports.selectors import import_run_report
from tests.imports import realistic

pytestmark = pytest.mark.django_db


def _source(user, organization, name="WIPO GREEN export"):
    return services.import_source_save(
        user=user, organization=organization, name=name, kind=ImportKind.TECHNOLOGIES
    )


def _import(user, organization, source, content: bytes, name="export.csv"):
    run = services.import_run_create(
        user=user,
        organization=organization,
        upload=SimpleUploadedFile(name, content),
        kind=ImportKind.TECHNOLOGIES,
        source=source,
    )
    services.import_run_start(user=user, run=run, column_mapping=realistic.MAPPING)
    return ImportRun.objects.get(pk=run.pk)


def test_a_3000_row_real_shaped_file_imports_without_a_crash_and_reimport_changes_nothing(
    holder, holder_organization, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    # given a 3,000-row export with every kind of real-world mess
    rows, expected = realistic.realistic_rows(3000)
    content = realistic.csv_bytes(rows)
    source = _source(holder, holder_organization)
    # when it is imported (the task runs when the start commits)
    with django_capture_on_commit_callbacks(execute=True):
        run = _import(holder, holder_organization, source, content)
    run.refresh_from_db()
    # then every row has a result and the figures add up
    assert run.status == RunStatus.COMPLETED
    assert run.total == run.processed == 3000
    refused = dict(run.rows.filter(outcome=RowOutcome.FAILED).values_list("row_number", "reason"))
    assert set(refused) == set(expected.refused), sorted(set(refused) ^ set(expected.refused))[:5]
    assert run.failed_count == len(expected.refused)
    assert run.created_count == expected.imported(3000)
    assert run.skipped_count == len(expected.duplicates)
    assert Technology.objects.filter(organization=holder_organization).count() == (
        run.created_count
    )
    for number, why in expected.refused.items():
        assert refused[number], number
        if why == "patent":
            assert "check" in refused[number].lower() or "校验" in refused[number]
    # drafts owned by the organisation, text cleaned, formulas kept as text
    technologies = Technology.objects.filter(organization=holder_organization)
    assert set(technologies.values_list("status", flat=True)) == {"draft"}
    formula_row = run.rows.get(row_number=min(expected.formulas))
    assert formula_row.technology.title_en.startswith("=HYPERLINK(")
    for number in sorted(expected.long_titles)[:2]:
        long_row = run.rows.get(row_number=number)
        technology = long_row.technology
        assert len(technology.title_zh) <= 200 and len(technology.title_en) <= 250
        assert "shortened" in long_row.reason or "缩短" in long_row.reason
        # the full title is kept at the top of the description
        assert (technology.description_zh + technology.description_en).startswith(
            ("高浓度有机废水", "Very long title")
        )
    chinese = technologies.filter(title_zh__startswith="高效2号").get()
    assert chinese.title_zh == "高效2号 厌氧反应器 处理高浓度有机废水技术"
    assert "<" not in chinese.summary_zh and "COD 去除率 > 85%" in chinese.summary_zh
    # when the same file is imported again
    with django_capture_on_commit_callbacks(execute=True):
        again = _import(holder, holder_organization, source, content)
    again.refresh_from_db()
    # then nothing is created or changed
    assert again.status == RunStatus.COMPLETED
    assert (again.created_count, again.updated_count) == (0, 0)
    assert again.skipped_count == 3000 - len(expected.refused)
    assert Technology.objects.filter(organization=holder_organization).count() == (
        run.created_count
    )
    # and the report lists every refused row with its reason
    header, report = import_run_report(run=run)
    reasons = {row[0]: row[3] for row in report if row[2] == str(RowOutcome.FAILED.label)}
    assert set(reasons) == set(expected.refused)
    assert all(reasons.values())
    assert "'=HYPERLINK" not in csv_text(header, report)  # formula rows were imported, not listed


def test_a_changed_row_updates_the_listing_it_made(
    holder, holder_organization, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    rows, _expected = realistic.realistic_rows(4)
    rows = rows[1:]  # the first row has no summary and is refused
    source = _source(holder, holder_organization)
    with django_capture_on_commit_callbacks(execute=True):
        _import(holder, holder_organization, source, realistic.csv_bytes(rows))
    rows[1][1] = "新的标题：厌氧反应器"
    with django_capture_on_commit_callbacks(execute=True):
        run = _import(holder, holder_organization, source, realistic.csv_bytes(rows))
    run.refresh_from_db()
    # the third row (an unknown category) is refused both times
    assert (run.created_count, run.updated_count, run.skipped_count) == (0, 1, 1)
    assert Technology.objects.filter(title_zh="新的标题：厌氧反应器").count() == 1


def test_a_gbk_file_is_detected_and_imported(
    holder, holder_organization, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    rows, _expected = realistic.realistic_rows(5)
    rows = rows[1:]
    content = realistic.csv_bytes(rows, encoding="gb18030")  # GBK plus the few signs it lacks (m³)
    with django_capture_on_commit_callbacks(execute=True):
        run = _import(holder, holder_organization, _source(holder, holder_organization), content)
    run.refresh_from_db()
    assert run.encoding == "gb18030"
    assert run.created_count == 3  # the row of index 3 has an unknown category
    assert Technology.objects.filter(title_zh__startswith="高效2号").exists()


def test_an_excel_file_keeps_a_formula_as_text(
    holder, holder_organization, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    rows, _expected = realistic.realistic_rows(3)
    rows = rows[1:]
    rows[0][1] = '=HYPERLINK("http://example.com","x")'
    with django_capture_on_commit_callbacks(execute=True):
        run = _import(
            holder,
            holder_organization,
            _source(holder, holder_organization),
            realistic.xlsx_bytes(rows),
            name="export.xlsx",
        )
    run.refresh_from_db()
    assert run.created_count == 2
    assert Technology.objects.filter(title_en='=HYPERLINK("http://example.com","x")').exists()


def test_a_file_neither_utf8_nor_gbk_is_refused_clearly(holder, holder_organization):
    source = _source(holder, holder_organization)
    content = b"ID,Title\n1,\xff\xfe\xfa\xfb\x80\x81\xfe\xff\n"
    with pytest.raises(ValidationError) as error:
        services.import_run_create(
            user=holder,
            organization=holder_organization,
            upload=SimpleUploadedFile("bad.csv", content),
            kind=ImportKind.TECHNOLOGIES,
            source=source,
        )
    assert "UTF-8" in str(error.value.message_dict["file"])
    assert not ImportRun.objects.exists()


def test_a_200_mb_file_is_refused_before_it_is_read(holder, holder_organization):
    source = _source(holder, holder_organization)

    class HugeUpload:
        """An upload that declares 200 MB and fails the test if anything reads it."""

        name = "huge.csv"
        size = 200 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("the file was read")

        seek = tell = read

    upload = HugeUpload()
    with pytest.raises(ValidationError) as error:
        services.import_run_create(
            user=holder,
            organization=holder_organization,
            upload=upload,
            kind=ImportKind.TECHNOLOGIES,
            source=source,
        )
    assert "MB" in str(error.value.message_dict["file"])
    assert not ImportRun.objects.exists()


def test_a_mapping_that_leaves_a_required_field_empty_is_refused(holder, holder_organization):
    rows, _expected = realistic.realistic_rows(2)
    run = services.import_run_create(
        user=holder,
        organization=holder_organization,
        upload=SimpleUploadedFile("e.csv", realistic.csv_bytes(rows)),
        kind=ImportKind.TECHNOLOGIES,
        source=_source(holder, holder_organization),
    )
    mapping = {key: value for key, value in realistic.MAPPING.items() if value != "category"}
    with pytest.raises(ValidationError) as error:
        services.import_run_start(user=holder, run=run, column_mapping=mapping)
    assert error.value.message_dict["column_mapping"]
    run.refresh_from_db()
    assert run.status == RunStatus.MAPPING


def test_an_unverified_or_other_organisation_cannot_import(holder, other_holder):
    from tests.factories import OrganizationFactory, UserFactory

    unverified = OrganizationFactory(verification_status="unverified")
    newcomer = UserFactory(roles=["holder"], organization=unverified)
    with pytest.raises(PermissionDenied):
        services.import_source_save(
            user=newcomer, organization=unverified, name="x", kind=ImportKind.TECHNOLOGIES
        )
    source = _source(holder, holder.memberships.first().organization)
    rows, _expected = realistic.realistic_rows(1)
    with pytest.raises((PermissionDenied, ValidationError)):
        services.import_run_create(
            user=other_holder,
            organization=source.organization,
            upload=SimpleUploadedFile("e.csv", realistic.csv_bytes(rows)),
            kind=ImportKind.TECHNOLOGIES,
            source=source,
        )
    assert not ImportRun.objects.exists()
    assert ImportSource.objects.count() == 1


def test_needs_are_imported_as_drafts_with_a_default_deadline_and_recognised_again(
    run_tasks_eagerly, django_capture_on_commit_callbacks
):
    from exchange.models import Need
    from tests.factories import OrganizationFactory, UserFactory

    # given an enterprise and an export of needs, one with a 300-character title
    organization = OrganizationFactory(region="CN-ZJ")
    enterprise = UserFactory(roles=["enterprise"], organization=organization)
    source = services.import_source_save(
        user=enterprise, organization=organization, name="demand list", kind=ImportKind.NEEDS
    )
    content = (
        "编号,需求名称,需求描述,预算,地区\n"
        "N-1,渗滤液处理能力不足,<p>日处理 450 吨</p>,300万,广东省\n"
        f"N-2,{'高盐废水零排放' * 43},蒸发结晶,,Atlantis\n"
        "N-3,  ,没有标题的需求,,\n"
    ).encode()

    def run_import():
        run = services.import_run_create(
            user=enterprise,
            organization=organization,
            upload=SimpleUploadedFile("needs.csv", content),
            kind=ImportKind.NEEDS,
            source=source,
        )
        assert run.column_mapping == {
            "编号": "source_id",
            "需求名称": "title_zh",
            "需求描述": "description",
            "预算": "budget_max",
            "地区": "region",
        }
        with django_capture_on_commit_callbacks(execute=True):
            services.import_run_start(user=enterprise, run=run, column_mapping=run.column_mapping)
        run.refresh_from_db()
        return run

    # when it is imported twice
    first = run_import()
    again = run_import()
    # then two drafts exist, the row without a title is refused, the second run changes nothing
    assert (first.created_count, first.failed_count) == (2, 1)
    assert (again.created_count, again.updated_count, again.skipped_count) == (0, 0, 2)
    needs = Need.objects.filter(organization=organization).order_by("pk")
    assert [need.status for need in needs] == ["draft", "draft"]
    assert needs[0].region == "CN-GD" and needs[0].budget_max == 3_000_000
    assert needs[0].description_zh == "日处理 450 吨"
    assert len(needs[1].title_zh) <= 200 and needs[1].region == "CN-ZJ"
    assert needs[1].deadline > needs[1].created_at.date()


def test_a_json_export_is_read_as_rows_of_its_keys(
    holder, holder_organization, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    import json

    rows, _expected = realistic.realistic_rows(3)
    records = [dict(zip(realistic.HEADER, row, strict=True)) for row in rows[1:]]
    records[0]["Keywords"] = ["厌氧", "废水"]  # a list in a JSON export
    content = json.dumps({"items": records}, ensure_ascii=False).encode()
    with django_capture_on_commit_callbacks(execute=True):
        run = _import(
            holder, holder_organization, _source(holder, holder_organization), content, "x.json"
        )
    run.refresh_from_db()
    assert run.file_kind == "json" and run.columns == realistic.HEADER
    assert run.created_count == 2
    technology = run.rows.get(row_number=2).technology
    assert technology.keywords == ["厌氧", "废水"]


def test_an_imported_row_like_an_existing_listing_says_so_in_the_report(
    holder, holder_organization, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    from tests.catalog.conftest import make_technology

    rows, _expected = realistic.realistic_rows(4)
    rows = rows[1:2]  # one valid row
    title, summary = rows[0][1], rows[0][2]
    existing = make_technology(
        holder, title_zh=title, summary_zh=summary, title_en="", summary_en=""
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = _import(
            holder,
            holder_organization,
            _source(holder, holder_organization),
            realistic.csv_bytes(rows),
        )
    (row,) = run.rows.all()
    assert row.outcome == RowOutcome.CREATED
    assert f"#{existing.pk}" in row.reason
