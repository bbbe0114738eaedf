"""What a project manager does with the client registry, in a real Chromium."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from clients.models import Client
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_language_filter_open_edit_with_error_fix_and_history(live_server, page, demo, log_in):
    log_in("pm")
    expect(page.get_by_role("navigation", name="Main navigation")).to_contain_text("Clients")

    page.get_by_role("button", name="中文").click()
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="客户")).to_be_visible()
    expect(nav.get_by_role("link", name="仪表盘")).to_be_visible()

    nav.get_by_role("link", name="客户").click()
    page.wait_for_load_state()  # htmx (a deferred script) listens from the load on; a change before it goes unseen
    page.get_by_label("状态").select_option("active")
    page.get_by_label("搜索", exact=True).fill("康诺")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).not_to_contain_text("RUILAN")

    page.get_by_role("link", name="KANGNUO").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("杭州康诺医疗科技有限公司")
    page.get_by_role("button", name="编辑", exact=True).click()

    kangnuo = Client.objects.get(code="KANGNUO")
    uscc = page.get_by_label("统一社会信用代码")
    uscc.fill("91330106MA2H7K3N8A")  # the check character should be B
    page.get_by_role("button", name="保存").click()
    error = page.locator("#id_uscc_error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("校验码")
    expect(uscc).to_have_attribute("aria-invalid", "true")
    assert Client.objects.get(pk=kangnuo.pk).version == kangnuo.version

    page.get_by_label("统一社会信用代码").fill("91330106MA2H7K3N9E")
    page.get_by_label("名称（英文）").fill("Hangzhou Kangnuo Medical Tech")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(rf"/clients/{kangnuo.pk}/$"))
    history = page.get_by_role("region", name="历史记录")
    expect(history).to_contain_text("91330106MA2H7K3N8B → 91330106MA2H7K3N9E")
    expect(history).to_contain_text("王芳 (Wang Fang)")
    assert Client.objects.get(pk=kangnuo.pk).uscc == "91330106MA2H7K3N9E"


def test_xlsx_export_of_a_filtered_list(live_server, page, demo, log_in, tmp_path):
    ClientFactory(code="FORMULA", name_en='=HYPERLINK("x")', status="active", country="SG", kind="overseas", uscc="")
    ClientFactory(code="SGPROSP", status="prospect", country="SG", kind="overseas", uscc="")
    log_in("pm")
    page.goto(f"{live_server.url}/clients/?country=SG&status=active")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export Excel").click()
    path = tmp_path / "clients.xlsx"
    download_info.value.save_as(path)

    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(min_row=2))
    expected = Client.objects.filter(country="SG", status="active")
    assert [row[0].value for row in rows] == [c.code for c in expected] == ["FORMULA"]
    name_cell = rows[0][2]
    assert name_cell.value == '=HYPERLINK("x")'
    assert name_cell.data_type == "s"


def test_five_wrong_passwords_lock_the_log_in(live_server, page, demo, log_in):
    for _ in range(5):
        log_in("pm", "not-the-password")
    expect(page.locator("body")).to_contain_text("Too many failed log-in attempts")
    log_in("pm")
    expect(page.locator("body")).to_contain_text("Too many failed log-in attempts")


def test_client_user_cannot_open_staff_pages(live_server, page, demo, log_in):
    log_in("kangnuo")
    response = page.goto(f"{live_server.url}/clients/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("页面不存在")  # kangnuo reads Chinese
