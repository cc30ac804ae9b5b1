"""The admin dashboard: GET /admin/usage as JSON, and GET /dashboard in headless Chromium as a person uses it.

The browser part needs /usr/bin/chromium and /usr/bin/chromedriver (.ci/run installs both) and is skipped, with the
reason, only when one is missing. A screenshot of the signed-in page is saved as `dashboard.png` in the log dir.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import requests

from support import (CANONICAL_TOTAL_COST, CANONICAL_TOTAL_TOKENS, RECORDER, REQUESTS_TIMEOUT, assert_error_body,
                     chat_body, eventually, post)

ANN_KEY = "sk-pplx-dashboard-test-admin-ann"
BOB_KEY = "sk-pplx-dashboard-test-bob"
XSS_KEY = "sk-pplx-dashboard-test-xss"
# A member name is whatever the config says; the page must show it as text, never run it.
XSS_NAME = '<img src=x onerror="window.__xss=1">'
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT_S = 15


def _key_hash(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def usd(value: float) -> str:
    """The page's dollar format: up to 4 decimals (half up, as JS toFixed), trailing zeros trimmed to at least 2;
    a nonzero amount under $0.00005 is `<$0.0001`."""
    fixed = Decimal(abs(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if value != 0 and fixed == 0:
        return "<$0.0001"
    text = str(fixed)
    for _ in range(2):
        text = text[:-1] if text.endswith("0") else text
    return ("-$" if value < 0 else "$") + text


def test_usd_format_matches_the_page():
    assert [usd(v) for v in (0, 0.0603, 1.25, 5, 0.012, 0.015069, 0.000005, 1234.5)] == \
        ["$0.00", "$0.0603", "$1.25", "$5.00", "$0.012", "$0.0151", "<$0.0001", "$1234.50"]


def _chat_as(url: str, key: str, stream: bool) -> None:
    resp = post(url + "/v1/chat/completions", chat_body(stream=stream), stream=stream,
                headers={"Authorization": f"Bearer {key}"})
    assert resp.status == 200, resp.body[:300]


def _admin_usage(url: str, key: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    resp = requests.get(url + "/admin/usage", headers=headers, timeout=REQUESTS_TIMEOUT)
    RECORDER.add(f"requests GET {url}/admin/usage", resp.headers, resp.content)
    return resp


def _usage(url: str) -> dict:
    resp = _admin_usage(url, ANN_KEY)
    assert resp.status_code == 200, resp.text[:300]
    return resp.json()


def _member(payload: dict, name: str) -> dict:
    found = [m for m in payload["members"] if m["name"] == name]
    assert len(found) == 1, f"{name!r} in {[m['name'] for m in payload['members']]}"
    return found[0]


@pytest.fixture
def proxy(spawn, tmp_path):
    """A proxy with an admin, a budgeted member and a hostile name, and some spend: bob 3 answers, the others 1."""
    mock = spawn("mock", "agent")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({
        "clients": [
            {"name": "admin-ann", "key_hash": _key_hash(ANN_KEY), "admin": True, "usd_per_day": 1,
             "usd_per_month": 20},
            {"name": "bob", "key_hash": _key_hash(BOB_KEY), "usd_per_day": 0.5, "tokens_per_day": 100000},
            {"name": XSS_NAME, "key_hash": _key_hash(XSS_KEY)},
        ],
        "budget": {"usd_per_day": 5},
        "usage_ledger": str(tmp_path / "usage.jsonl"),
    }))
    proc = spawn("proxy", mock.url, "agent", "final", "--config", str(config))
    for key, stream in ((BOB_KEY, False), (BOB_KEY, True), (BOB_KEY, False), (ANN_KEY, True), (XSS_KEY, False)):
        _chat_as(proc.url, key, stream)
    # A request is settled just after its last byte is sent; wait for that rather than race it (the tests then say
    # what is wrong if the sum never comes out right).
    eventually(lambda: _usage(proc.url)["total"]["cost_usd_today"] >= 5 * CANONICAL_TOTAL_COST - 1e-9, 10)
    return proc


def _hold_a_stream_open(proxy, key: str) -> socket.socket:
    """A streaming request the upstream never finishes (`stall`); it stays open until the socket is closed."""
    body = json.dumps(chat_body("stall", stream=True)).encode()
    sock = socket.create_connection((proxy.host, proxy.port), timeout=10)
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                 b"Authorization: Bearer " + key.encode() + b"\r\nContent-Length: " + str(len(body)).encode() +
                 b"\r\n\r\n" + body)
    return sock


def test_admin_usage_needs_an_admin_key_and_reports_spend_per_member_and_day(proxy):
    for key in (None, "sk-pplx-not-a-member"):
        resp = _admin_usage(proxy.url, key)
        assert resp.status_code == 401, resp.text[:300]
        assert_error_body(resp.json())
    resp = _admin_usage(proxy.url, BOB_KEY)
    assert resp.status_code == 403, resp.text[:300]
    assert_error_body(resp.json())

    payload = _usage(proxy.url)
    assert payload["object"] == "admin.usage"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", payload["generated_at"]), payload["generated_at"]
    assert payload["month"] == payload["day"][:7]
    assert 0 < payload["seconds_to_day_reset"] <= 86400
    assert payload["seconds_to_day_reset"] <= payload["seconds_to_month_reset"] <= 31 * 86400

    bob = _member(payload, "bob")
    assert bob["configured"] is True and bob["admin"] is False
    assert bob["requests_today"] == 3
    assert bob["tokens_today"] == 3 * CANONICAL_TOTAL_TOKENS
    assert bob["cost_usd_today"] > 0
    assert bob["cost_usd_today"] == pytest.approx(3 * CANONICAL_TOTAL_COST, abs=1e-6)
    assert bob["cost_usd_month"] >= bob["cost_usd_today"]
    assert bob["open_streams"] == 0
    assert bob["budget"] == {"usd_per_day": 0.5, "usd_per_month": None, "tokens_per_day": 100000}
    assert bob["left"]["usd_today"] == pytest.approx(0.5 - bob["cost_usd_today"], abs=1e-6)
    assert bob["left"]["usd_month"] is None
    assert bob["left"]["tokens_today"] == 100000 - bob["tokens_today"]

    ann = _member(payload, "admin-ann")
    assert ann["admin"] is True and ann["configured"] is True
    assert ann["budget"] == {"usd_per_day": 1, "usd_per_month": 20, "tokens_per_day": None}
    assert _member(payload, XSS_NAME)["requests_today"] == 1

    total = payload["total"]
    assert total["requests_today"] == 5
    assert total["cost_usd_today"] == pytest.approx(5 * CANONICAL_TOTAL_COST, abs=1e-6)
    assert total["budget"] == {"usd_per_day": 5, "usd_per_month": None}
    assert total["left"]["usd_today"] == pytest.approx(5 - total["cost_usd_today"], abs=1e-6)
    assert total["left"]["usd_month"] is None

    for days in [total["days"]] + [m["days"] for m in payload["members"]]:
        assert len(days) == 31
        assert days[-1]["day"] == payload["day"]
        assert [d["day"] for d in days] == sorted(d["day"] for d in days)
        assert set(days[0]) == {"day", "requests", "tokens", "cost_usd"}
    assert total["days"][-1]["cost_usd"] == pytest.approx(total["cost_usd_today"], abs=1e-6)
    assert bob["days"][-1]["requests"] == 3

    # Open streams are counted while they are open, per member and in total.
    sock = _hold_a_stream_open(proxy, ANN_KEY)
    try:
        assert eventually(lambda: _usage(proxy.url)["total"]["open_streams"] == 1, 10), _usage(proxy.url)["total"]
        assert _member(_usage(proxy.url), "admin-ann")["open_streams"] == 1
    finally:
        sock.close()
    assert eventually(lambda: _usage(proxy.url)["total"]["open_streams"] == 0, 10)


def test_dashboard_is_a_self_contained_page_without_data(proxy):
    resp = requests.get(proxy.url + "/dashboard", timeout=REQUESTS_TIMEOUT)
    RECORDER.add(f"requests GET {proxy.url}/dashboard", resp.headers, resp.content)
    assert resp.status_code == 200, resp.text[:300]
    assert resp.headers["Content-Type"].startswith("text/html")
    page = resp.text
    assert 'id="members"' in page and 'id="admin-key"' in page
    assert "bob" not in page and "admin-ann" not in page
    # Works offline: nothing is loaded from elsewhere.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "external asset in the page"


def test_dashboard_in_a_browser(proxy, logdir):
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (.ci/run installs chromium and chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    options.binary_location = str(CHROMIUM)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    stream = None
    try:
        driver.set_page_load_timeout(20)
        driver.set_script_timeout(10)
        stream = _hold_a_stream_open(proxy, ANN_KEY)
        assert eventually(lambda: _usage(proxy.url)["total"]["open_streams"] == 1, 10)
        drive_dashboard(driver, proxy.url, _usage(proxy.url), logdir)
        # The page refreshes by itself: once the stream is closed, the header follows.
        stream.close()
        stream = None
        _wait(driver, lambda d: _text(d, "open-streams") == "0", "open streams back to 0 after a refresh")
        sign_out(driver)
        problems = [e for e in driver.get_log("browser")
                    if "Content Security Policy" in e["message"] or "Uncaught" in e["message"]]
        assert not problems, problems
    except BaseException:
        _save_failure(driver, logdir)
        raise
    finally:
        if stream is not None:
            stream.close()
        driver.quit()


# ------------------------------------------------------------------------------------------------------------------
# What a person does and sees (also usable against any server that serves the page and /admin/usage)
# ------------------------------------------------------------------------------------------------------------------

def _wait(driver, condition, what: str):
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait
    try:
        return WebDriverWait(driver, WAIT_S, poll_frequency=0.1,
                             ignored_exceptions=[StaleElementReferenceException]).until(condition)
    except TimeoutException:
        raise AssertionError(f"waited {WAIT_S} s for: {what}") from None


def _shown(driver, element_id: str) -> bool:
    found = driver.find_elements("id", element_id)
    return bool(found) and found[0].is_displayed()


def _text(driver, element_id: str) -> str:
    return driver.find_element("id", element_id).text.strip()


# The page rebuilds the table and the chart on every refresh (5 s), so both are read in one script, not element by
# element (an element found before a refresh is gone after it). innerText is the text as rendered.
_SNAPSHOT = """
const rows = {};
for (const tr of document.querySelectorAll("#members tbody tr[data-member]")) {
  if (!tr.offsetParent) continue;
  const cells = {};
  for (const td of tr.querySelectorAll("td")) {
    const amount = td.querySelector(".amount");
    cells[td.classList[0] || "other"] = {text: td.innerText.trim(), amount: amount && amount.innerText.trim(),
                                         fills: [...td.querySelectorAll(".bar")].map((b) => b.dataset.fill)};
  }
  rows[tr.dataset.member] = {name: tr.querySelector("th").innerText.trim(), cells};
}
const rects = [...document.querySelectorAll("#chart rect")].map((r) => ({
  day: r.dataset.day, cost: r.dataset.cost, title: (r.querySelector("title") || {}).textContent}));
return {rows, rects, images: document.querySelectorAll("#members img").length};
"""


def _snapshot(driver) -> dict:
    return driver.execute_script(_SNAPSHOT)


def _rows(driver) -> dict:
    """The members table as shown: name → {name: the row header's text, cells: {class: {text, amount, fills}}}."""
    return _snapshot(driver)["rows"]


def _sign_in(driver, key: str) -> None:
    _wait(driver, lambda d: _shown(d, "admin-key"), "the sign-in form")
    field = driver.find_element("id", "admin-key")
    assert field.get_attribute("type") == "password"
    label = driver.find_element("css selector", "label[for='admin-key']")
    assert label.text.strip() == "Admin key"
    field.clear()
    field.send_keys(key)
    driver.find_element("id", "sign-in").click()


def _stored_key(driver):
    return driver.execute_script("return sessionStorage.getItem('pplx-admin-key')")


def drive_dashboard(driver, base_url: str, payload: dict, logdir: Path) -> None:
    """Signs in with wrong keys, then the admin's; checks what the page shows against `payload` (fetched with
    the admin key, with admin-ann holding one open stream); saves dashboard.png; checks reload and a narrow window."""
    driver.get(base_url + "/dashboard")
    for key, message in ((BOB_KEY, "That member is not an admin."),
                         ("sk-pplx-not-a-member", "That key is not a member key.")):
        _sign_in(driver, key)
        _wait(driver, lambda d: _shown(d, "error") and _text(d, "error") == message, message)
        assert _shown(driver, "admin-key") and not _shown(driver, "members")
        assert _stored_key(driver) is None

    _sign_in(driver, ANN_KEY)
    _wait(driver, lambda d: {"admin-ann", "bob", XSS_NAME} <= set(_rows(d)), "rows for admin-ann, bob and the XSS name")
    assert not _shown(driver, "error") and not _shown(driver, "admin-key")
    assert _stored_key(driver) == ANN_KEY

    total = payload["total"]
    assert _text(driver, "total-today") == usd(total["cost_usd_today"])
    assert f"of {usd(total['budget']['usd_per_day'])}" in _text(driver, "total-today-limit")
    assert _text(driver, "total-month") == usd(total["cost_usd_month"])
    assert "No budget" in _text(driver, "total-month-limit")
    assert _text(driver, "open-streams") == str(total["open_streams"]) == "1"
    assert re.fullmatch(r"updated \d\d:\d\d:\d\d UTC", _text(driver, "updated")), _text(driver, "updated")

    bob, shown = _member(payload, "bob"), _snapshot(driver)
    rows = shown["rows"]
    today, month, tokens = (rows["bob"]["cells"][c] for c in ("today", "month", "tokens"))
    assert today["amount"] == usd(bob["cost_usd_today"])
    assert len(today["fills"]) == 1
    fill = float(today["fills"][0])
    assert 0 < fill < 1 and fill == pytest.approx(bob["cost_usd_today"] / 0.5, abs=1e-4)
    assert "of $0.50" in today["text"]
    assert month["amount"] == usd(bob["cost_usd_month"])
    assert "No budget" in month["text"] and not month["fills"]
    assert str(bob["tokens_today"]) in tokens["text"] and "of 100,000" in tokens["text"]
    assert rows["bob"]["cells"]["requests"]["text"] == "3" and rows["bob"]["cells"]["streams"]["text"] == "0"
    assert len(rows["admin-ann"]["cells"]["month"]["fills"]) == 1
    assert rows["admin-ann"]["cells"]["streams"]["text"] == "1"

    rects = shown["rects"]
    assert len(rects) == 31
    assert [r["day"] for r in rects] == [d["day"] for d in total["days"]]
    assert float(rects[-1]["cost"]) == pytest.approx(total["days"][-1]["cost_usd"], abs=1e-9)
    assert rects[-1]["title"].startswith(payload["day"]) and usd(total["days"][-1]["cost_usd"]) in rects[-1]["title"]

    # The hostile name is text, and nothing ran.
    assert rows[XSS_NAME]["name"].startswith(XSS_NAME)
    assert shown["images"] == 0
    assert driver.execute_script("return window.__xss") is None

    shot = logdir / "dashboard.png"
    assert driver.save_screenshot(str(shot))
    print(f"dashboard screenshot: {shot}")

    # The key survives a reload (sessionStorage) and the page comes straight back.
    driver.refresh()
    _wait(driver, lambda d: "bob" in _rows(d), "the members table after a reload")
    assert not _shown(driver, "admin-key")

    # A phone-sized window: the page does not scroll sideways (the table scrolls in its own box).
    driver.set_window_size(390, 844)
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    driver.set_window_size(1280, 900)


def sign_out(driver) -> None:
    driver.find_element("id", "sign-out").click()
    _wait(driver, lambda d: _shown(d, "admin-key"), "the sign-in form after Sign out")
    assert not _rows(driver) and not _shown(driver, "members")
    assert _stored_key(driver) is None


def _save_failure(driver, logdir: Path) -> None:
    try:
        driver.save_screenshot(str(logdir / "dashboard-failure.png"))
        (logdir / "dashboard-failure.html").write_text(driver.page_source)
        print(f"dashboard failure screenshot: {logdir / 'dashboard-failure.png'}")
    except Exception:  # noqa: BLE001 - best effort while a failure is already being reported
        pass
