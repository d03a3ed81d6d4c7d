"""The admin units page: the list with history, and a reorganisation previewed then applied."""

from __future__ import annotations

from datetime import date

from bot.core.evidence import assignments
from bot.core.roster import roster
from tests.ledger_support import BINH_DUONG, BINH_TRIEU, THANG_BINH, add_document, assign_all
from tests.test_web_requests import admin_login, csrf_of, web_client  # noqa: F401  (web_client is a fixture)


async def test_units_page_previews_then_applies_a_merger(web_client):  # noqa: F811
    app = web_client.state.app
    assignment = assign_all(app, add_document(app), due=date(2025, 8, 1))
    csrf = await admin_login(web_client)
    page = await (await web_client.get("/admin/units")).text()
    assert "Xã Bình Dương" in page and 'id="units-form"' in page
    form = {
        "csrf": csrf,
        "operation": "merge",
        "sources": f"{BINH_DUONG}\n{BINH_TRIEU}",
        "targets": "Xã Thăng Bình",
        "effective": "2025-07-01",
        "action": "preview",
    }
    before = roster.unit_paths(app)
    preview = await web_client.post("/admin/units", data=form)
    text = await preview.text()
    assert preview.status == 200 and "Chạy thử" in text and "Lập đơn vị mới" in text and 'value="apply"' in text
    assert roster.unit_paths(app) == before
    applied = await web_client.post("/admin/units", data={**form, "action": "apply"})
    assert applied.status == 200 and "Đã sắp xếp lại" in await applied.text()
    new = roster.resolve_unit(app, f"{THANG_BINH} > Xã Thăng Bình").id
    history_page = await (await web_client.get(f"/admin/units?unit={new}")).text()
    assert "01/07/2025 – nay" in history_page and "hợp nhất" in history_page
    refused = await web_client.post("/admin/units", data={**form, "sources": "Xã Không Có\nXã Nào", "action": "apply"})
    assert refused.status == 400 and "Không tìm thấy đơn vị" in await refused.text()
    bad_date = await web_client.post("/admin/units", data={**form, "effective": "31/02/2025"})
    assert bad_date.status == 400 and "không hợp lệ" in await bad_date.text()
    # the assignment's progress by today's tree, and by the tree of the day before the merger
    today = await (await web_client.get(f"/admin/assignments/{assignment}")).text()
    assert "Xã Thăng Bình" in today and "Xã Bình Dương" not in today
    then = await (await web_client.get(f"/admin/assignments/{assignment}?on=2025-06-30")).text()
    assert "Xã Bình Dương" in then and 'value="2025-06-30"' in then
    junk = await web_client.get(f"/admin/assignments/{assignment}?on=hôm-qua")
    assert junk.status == 200 and "Xã Thăng Bình" in await junk.text()
    assert f'data-live-url="/admin/api/assignments/{assignment}?on=2025-06-30"' in then
    live = await (await web_client.get(f"/admin/api/assignments/{assignment}?on=2025-06-30")).json()
    old_commune = roster.resolve_unit(app, BINH_DUONG, date(2025, 6, 30)).id
    assert live["rows"][str(old_commune)]["assigned"] == "2"
    # the dashboard by the tree of a day: the same date field, its polling and links keep the day
    dashboard = await (await web_client.get("/admin?on=2025-06-30")).text()
    assert 'id="tree-date"' in dashboard and 'value="2025-06-30"' in dashboard
    assert f'href="/admin/assignments/{assignment}?on=2025-06-30"' in dashboard and 'id="tree-date-note"' in dashboard
    totals = await (await web_client.get("/admin/api/dashboard")).json()
    assert totals["rows"][str(assignment)]["assigned"] == str(len(assignments.member_ids(app, assignment)))


async def test_units_page_splits_with_placements_pasted_from_excel(web_client):  # noqa: F811
    app = web_client.state.app
    csrf = await admin_login(web_client)
    form = {
        "csrf": csrf,
        "operation": "split",
        "sources": BINH_DUONG,
        "targets": "Xã Bình Dương A\nXã Bình Dương B",
        "effective": "2025-07-01",
        "action": "preview",
    }
    blocked = await web_client.post("/admin/units", data=form)
    text = await blocked.text()
    assert blocked.status == 400 and "Chưa phân công đơn vị mới cho 2 người" in text and "Võ Văn Cường" in text
    junk = await web_client.post("/admin/units", data={**form, "placements": "chỉ một cột"})
    assert junk.status == 400 and "Dòng phân công 1" in await junk.text()
    placed = {**form, "placements": "Trần Thị Bình\tXã Bình Dương A\n0905000005; Xã Bình Dương B", "action": "apply"}
    applied = await web_client.post("/admin/units", data=placed)
    assert applied.status == 200 and "Đã sắp xếp lại" in await applied.text()
    assert roster.get_person(app, roster.person_by_phone(app, "0905000005").id).unit_name == "Xã Bình Dương B"
