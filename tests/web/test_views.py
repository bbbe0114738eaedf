"""The staff client pages, through Django's test client: access, filters, exports, forms, locking, queries."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import User
from clients.models import Client
from tests.factories import (
    PASSWORD,
    ClientFactory,
    ContactFactory,
    DeviceClassificationFactory,
    DeviceFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm_client(client, pm):
    client.force_login(pm)
    return client


# --- who may enter ----------------------------------------------------------------------------------------------
def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/clients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/clients/")


@pytest.mark.parametrize(
    "path", ["/clients/", "/clients/{id}/", "/clients/{id}/edit/", "/clients/export.xlsx", "/notifications/"]
)
def test_client_users_get_a_404_that_offers_their_portal_on_staff_pages(client, user_a, client_a, path):
    client.force_login(user_a)
    response = client.get(path.format(id=client_a.id))
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and 'href="/portal/"' in page and "Log out" in page
    assert 'href="/"' not in page  # never a loop back to a staff page


def test_the_start_page_of_a_client_user_is_their_portal(client, user_a):
    client.force_login(user_a)
    assert client.get("/").url == "/portal/"


def test_user_without_role_gets_403(client):
    client.force_login(UserFactory())
    assert client.get("/clients/").status_code == 403


def test_viewer_reads_but_cannot_edit(client, client_a):
    client.force_login(StaffUserFactory(roles=["viewer"]))
    page = client.get(f"/clients/{client_a.id}/")
    assert page.status_code == 200
    assert f"/clients/{client_a.id}/edit/" not in page.content.decode()
    assert client.get(f"/clients/{client_a.id}/edit/").status_code == 403
    assert client.post(f"/clients/{client_a.id}/transition/", {"to": "inactive"}).status_code == 403


def test_regulatory_may_classify_devices_only(client):
    device = DeviceFactory()
    client.force_login(StaffUserFactory(roles=["regulatory"]))
    assert client.get(f"/devices/{device.id}/edit/").status_code == 403
    response = client.post(
        f"/devices/{device.id}/classifications/", {"cls-CN_class": "III", "cls-CN_code": "13-06", "cls-EU_class": ""}
    )
    assert response.status_code == 302
    assert device.classifications.get().device_class == "III"


# --- log-in -----------------------------------------------------------------------------------------------------
def test_log_in_and_five_wrong_passwords_lock_it(client):
    StaffUserFactory(username="pm9", roles=["project_manager"])
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": "pm9", "password": "wrong"})
        assert response.status_code == 200
    locked = client.post("/accounts/login/", {"username": "pm9", "password": "wrong"})
    assert locked.status_code == 429
    again = client.post("/accounts/login/", {"username": "pm9", "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_log_in_with_the_right_password(client):
    StaffUserFactory(username="pm9", roles=["project_manager"])
    response = client.post("/accounts/login/", {"username": "pm9", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/clients/").status_code == 200


def test_password_reset_sends_an_email(client, mailoutbox):
    StaffUserFactory(username="pm9", email="pm9@example.test", roles=["project_manager"])
    response = client.post("/accounts/password/reset/", {"email": "pm9@example.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/" in mailoutbox[0].body


def test_language_switch_is_stored_on_the_user(pm_client, pm):
    response = pm_client.post("/language/", {"language": "zh-hans", "next": "/clients/"})
    assert response.status_code == 302
    assert response["Location"] == "/clients/"
    pm.refresh_from_db()
    assert pm.language == "zh-hans"
    assert "客户" in pm_client.get("/clients/").content.decode()


def test_language_switch_refuses_foreign_redirects(pm_client):
    response = pm_client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


# --- list, filters, exports -------------------------------------------------------------------------------------
def test_list_filters_by_status_kind_country_and_search(pm_client):
    ClientFactory(code="ACT1", status="active", name_en="Alpha Med")
    ClientFactory(code="PRO1", status="prospect", name_en="Beta Med")
    ClientFactory(code="DE1", status="active", kind="overseas", uscc="", country="DE", name_en="Gamma GmbH")
    body = pm_client.get("/clients/?status=active&kind=domestic").content.decode()
    assert "ACT1" in body
    assert "PRO1" not in body
    assert "DE1" not in body
    body = pm_client.get("/clients/?country=DE").content.decode()
    assert "DE1" in body
    assert "ACT1" not in body
    body = pm_client.get("/clients/?q=beta").content.decode()
    assert "PRO1" in body
    assert "ACT1" not in body


def test_htmx_request_gets_only_the_results(pm_client):
    ClientFactory(code="ACT1")
    response = pm_client.get("/clients/?q=ACT", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "ACT1" in body
    assert "<html" not in body


def test_sorting_and_paging(pm_client):
    for i in range(30):
        ClientFactory(code=f"C{i:02d}")
    body = pm_client.get("/clients/?ordering=-code&page_size=25").content.decode()
    assert body.index("C29") < body.index("C28")
    assert "C04" not in body
    assert "C04" in pm_client.get("/clients/?ordering=-code&page_size=25&page=2").content.decode()


def test_csv_export_has_the_filtered_rows_and_escapes_formulas(pm_client):
    ClientFactory(code="EVIL", name_en='=HYPERLINK("x")', status="active")
    ClientFactory(code="GONE", status="inactive")
    response = pm_client.get("/clients/export.csv?status=active")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2
    assert "EVIL" in lines[1]
    assert "'=HYPERLINK" in lines[1]


def test_xlsx_export_has_the_filtered_rows_as_text(pm_client):
    ClientFactory(code="EVIL", name_en='=HYPERLINK("x")', status="active")
    ClientFactory(code="PLUS", name_en="+86 trick", status="active")
    ClientFactory(code="GONE", status="inactive")
    response = pm_client.get("/clients/export.xlsx?status=active")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(row[0] for row in rows) == ["EVIL", "PLUS"]
    evil = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "EVIL")
    assert evil[2].value == '=HYPERLINK("x")'
    assert evil[2].data_type == "s"


def test_unknown_export_format_is_404(pm_client):
    assert pm_client.get("/clients/export.pdf").status_code == 404


# --- forms ------------------------------------------------------------------------------------------------------
def client_form_data(client: Client, **changes) -> dict:
    data = {
        "code": client.code,
        "name_zh": client.name_zh,
        "name_en": client.name_en,
        "uscc": client.uscc,
        "country": client.country,
        "kind": client.kind,
        "agent": "",
        "account_manager": "",
        "internal_notes": "",
        "version": client.version,
    }
    return {**data, **changes}


def test_wrong_uscc_is_shown_beside_the_field_and_nothing_is_saved(pm_client, client_a):
    original = client_a.uscc
    response = pm_client.post(f"/clients/{client_a.id}/edit/", client_form_data(client_a, uscc="91330106MA2H7K3N8A"))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_uscc_error"' in body
    assert 'aria-invalid="true"' in body
    client_a.refresh_from_db()
    assert (client_a.uscc, client_a.version) == (original, 1)


def test_edit_saves_through_the_service_and_shows_in_history(pm_client, pm, client_a):
    response = pm_client.post(f"/clients/{client_a.id}/edit/", client_form_data(client_a, name_en="Renamed Ltd"))
    assert response.status_code == 302
    client_a.refresh_from_db()
    assert (client_a.name_en, client_a.version) == ("Renamed Ltd", 2)
    page = pm_client.get(f"/clients/{client_a.id}/").content.decode()
    assert "Renamed Ltd" in page
    assert str(pm) in page


def test_stale_edit_is_refused_with_a_message(pm_client, client_a):
    stale = client_form_data(client_a, name_en="Mine")
    pm_client.post(f"/clients/{client_a.id}/edit/", client_form_data(client_a, name_en="Theirs"))
    response = pm_client.post(f"/clients/{client_a.id}/edit/", stale)
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    client_a.refresh_from_db()
    assert client_a.name_en == "Theirs"


def test_create_client_contact_and_device(pm_client):
    response = pm_client.post(
        "/clients/new/",
        {"code": "NEWCO", "name_en": "NewCo", "kind": "overseas", "country": "DE", "uscc": "", "version": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = Client.objects.get(code="NEWCO")
    response = pm_client.post(
        f"/clients/{new.id}/contacts/new/",
        {"name": "Eva", "email": "eva@newco.example", "role": "ra", "is_primary": "on"},
    )
    assert response.status_code == 302
    response = pm_client.post(
        f"/clients/{new.id}/devices/new/",
        {
            "name_en": "Stent",
            "kind": "non_active",
            "model_numbers": "S-1\nS-2\n",
            "sterile": "on",
            "cls-CN_class": "III",
            "cls-US_class": "III",
            "cls-EU_class": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    device = new.devices.get()
    assert device.model_numbers == ["S-1", "S-2"]
    assert sorted(device.classifications.values_list("market", flat=True)) == ["CN", "US"]


def test_device_form_refuses_a_class_of_another_market(pm_client):
    device = DeviceFactory()
    response = pm_client.post(
        f"/devices/{device.id}/edit/",
        {"name_en": device.name_en, "kind": "active", "cls-CN_class": "IIa", "version": device.version},
    )
    assert response.status_code == 400
    assert not device.classifications.exists()


def test_transition_buttons(pm_client, client_a):
    response = pm_client.post(f"/clients/{client_a.id}/transition/", {"to": "inactive", "version": "1"})
    assert response.status_code == 302
    client_a.refresh_from_db()
    assert client_a.status == "inactive"
    pm_client.post(f"/clients/{client_a.id}/transition/", {"to": "prospect", "version": "2"})
    client_a.refresh_from_db()
    assert client_a.status == "inactive"


# --- queries ----------------------------------------------------------------------------------------------------
def page_queries(client, user_id, url) -> int:
    client.force_login(User.objects.get(pk=user_id))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_page_queries_do_not_grow_with_rows(client, pm, django_assert_max_num_queries):
    ClientFactory.create_batch(5, account_manager=pm, agent=None)
    small = page_queries(client, pm.id, "/clients/?page_size=25")
    ClientFactory.create_batch(50, account_manager=pm)
    large = page_queries(client, pm.id, "/clients/?page_size=50")
    assert small == large
    with django_assert_max_num_queries(8):
        client.get("/clients/?page_size=50")


def test_client_page_queries_do_not_grow_with_rows(client, pm, django_assert_max_num_queries):
    small_client = ClientFactory(code="SMALL")
    big_client = ClientFactory(code="BIG")
    for target, rows in ((small_client, 5), (big_client, 50)):
        ContactFactory.create_batch(rows, client=target)
        for device in DeviceFactory.create_batch(rows, client=target):
            DeviceClassificationFactory(device=device, market="CN")
    small = page_queries(client, pm.id, f"/clients/{small_client.id}/")
    large = page_queries(client, pm.id, f"/clients/{big_client.id}/")
    assert small == large
    with django_assert_max_num_queries(12):
        client.get(f"/clients/{big_client.id}/")
