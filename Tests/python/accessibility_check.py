#!/usr/bin/env python3
"""Every page of the citizens' portal and the officers' console against WCAG 2.1 A and AA, in a
real browser (Debian's headless Chromium through the system chromedriver, as browser_flow.py).

1. Dossiers in every state: a citizen registers and submits over the JSON API; an officer takes
   them through the console's own forms (received, not received, processing, supplement
   requested, awaiting the fee, approved, refused, result returned); the citizen withdraws one.
2. The pages: crawled, not listed. From the home page as an anonymous visitor and as a signed-in
   citizen, from the console's home as an officer and as the agency's administrator: every
   same-origin GET link and every GET form (with its default values), de-duplicated by route
   pattern (numbers and codes in a path become placeholders, a query keeps its names but not its
   values), bounded, skipping downloads, sign-out and anything that is not an HTML page. Every
   dossier's page is visited in every state on both sides. Then the pages a POST with errors
   answers: a wrong sign-in (citizen and officer), a registration with fields missing, a
   submission form sent empty, a tracking lookup with a wrong PIN, a console action without its
   required reason, the administrator's form with bad input.
3. Each page: axe-core (the copy bundled in PyPI's axe-playwright-python, loaded through
   execute_script) with the rules tagged wcag2a, wcag2aa, wcag21a, wcag21aa; then the same page
   at 320 CSS px wide (Chrome's device metrics), where the document must not be wider than 320 px.
4. The citizen's journey by keyboard only (TAB, SHIFT+TAB, ENTER, SPACE, arrows; no click): the
   skip link is the first stop and moves focus to the main content; search, open the procedure,
   open the form, fill it, attach a file, submit, read the slip, track the dossier with its code
   and PIN. A file input opens the system's dialog, which no browser lets a test type into: the
   path is sent to the focused input with send_keys, the way WebDriver sets files. Every focused
   element must look different from its unfocused self (outline or box-shadow), and the focus
   order on the key pages is asserted.

Prints one JSON object (pages checked, violations, overflows, the keyboard journey); exits
non-zero with a readable list when anything fails.
"""
import argparse
import importlib.util
import json
import os
import re
import sys
import time
import uuid
from urllib.parse import parse_qsl, quote, urlsplit

import requests

from browser_flow import browser, gone, loaded
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

AGENCY = "000.00.20.H26"       # UBND Quận Ba Đình: HN-HT-101 at level 3 in the test seed
PROCEDURE = "HN-HT-101"        # Cấp bản sao trích lục khai sinh
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe files these under "best-practice", not under a WCAG criterion, but they are what the
# landmarks, the heading order and the skip link are checked by (docs/accessibility.md).
BEST_PRACTICE = ["landmark-one-main", "landmark-no-duplicate-main", "landmark-unique", "landmark-banner-is-top-level",
                 "landmark-contentinfo-is-top-level", "landmark-main-is-top-level", "region", "page-has-heading-one",
                 "heading-order", "empty-heading", "empty-table-header", "skip-link"]
PHONE_WIDTH = 320
MAX_PAGES_PER_ROLE = 80
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# Path segments that name one thing among many: dossier ids, codes, numbers.
VARIABLE = re.compile(r"^(?=.*\d)[\w.\-]+$")
# Never followed: signing out, leaving for a provider, machine answers.
SKIPPED = re.compile(r"/dang-xuat|^/api/|^/payment/|^/healthz|/tep/|^/bieu-mau/|/dang-nhap/vneid|lien-ket-vneid")


class Failure(Exception):
    pass


def axe_source():
    """axe.min.js from the installed axe-playwright-python, found without importing the package
    (its __init__ imports Playwright, which the tests do not need)."""
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or not spec.submodule_search_locations:
        raise Failure("axe-playwright-python is not installed (scripts/install-deps.sh installs it)")
    path = os.path.join(list(spec.submodule_search_locations)[0], "axe.min.js")
    with open(path, encoding="utf-8") as source:
        return source.read()


def pattern(url):
    """The route a URL stands for: `/ho-so/0f3c…` → `/ho-so/{}`, `?trang_thai=2&q=x` → `?q&trang_thai`."""
    parts = urlsplit(url)
    segments = ["{}" if VARIABLE.match(segment) else segment for segment in parts.path.split("/")]
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return "/".join(segments) + ("?" + "&".join(names) if names else "")


# --- dossiers in every state, through the real workflow ------------------------------------------

class Workflow:
    """The citizen over the JSON API, officers through the console's HTML forms (as a browser posts
    them, with the session cookie, the Origin and the page's CSRF token)."""

    def __init__(self, portal, citizen_id, password):
        self.portal = portal
        self.citizen_id = citizen_id
        self.password = password
        self.http = requests.Session()

    def api(self, path, body, token=None, key=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if key:
            headers["Idempotency-Key"] = key
        answer = self.http.post(self.portal + path, json=body, headers=headers, timeout=30)
        return answer.status_code, (answer.json() if answer.content else {})

    def citizen_token(self):
        self.api("/api/v1/citizens", {"id": self.citizen_id, "password": self.password, "full_name": "Nguyễn Văn An"})
        status, signed_in = self.api("/api/v1/sessions", {"id": self.citizen_id, "password": self.password})
        if status != 201:
            raise Failure(f"the citizen could not sign in over the API: {status} {signed_in}")
        return signed_in["token"]

    def submit(self, token, key):
        status, answer = self.api("/api/v1/dvc.gateway.v1.DossierService/SubmitDossier", {
            "agencyCode": AGENCY, "procedureCode": PROCEDURE, "channel": "CHANNEL_ONLINE",
            "formData": {
                "nguoi_yeu_cau_ho_ten": "Nguyễn Văn An", "nguoi_yeu_cau_so_dinh_danh": self.citizen_id,
                "nguoi_yeu_cau_noi_cu_tru": "Phường Điện Biên, Quận Ba Đình", "quan_he": "Bản thân",
                "ho_ten_nguoi_duoc_cap": "Nguyễn Văn An", "noi_dang_ky": "UBND phường Điện Biên", "so_ban_sao": "1",
                "ngay_dang_ky": "2019-03-07",
            },
            "attachments": [{"name": "to-khai.pdf", "content": __import__("base64").b64encode(PDF).decode()}],
        }, token=token, key=key)
        if status != 200:
            raise Failure(f"submission {key}: {status} {answer}")
        return answer["dossier"]["id"], answer.get("trackingPin", "")

    def withdraw(self, token, dossier_id):
        status, dossier = self.api("/api/v1/dvc.gateway.v1.DossierService/GetDossier", {"id": dossier_id}, token=token)
        status, answer = self.api("/api/v1/dvc.gateway.v1.DossierService/Act", {
            "dossierId": dossier_id, "action": "ACTION_WITHDRAW", "expectedVersion": dossier.get("version", "0"),
            "note": "Không còn nhu cầu."}, token=token)
        if status != 200:
            raise Failure(f"withdrawal of {dossier_id}: {status} {answer}")

    def officer(self, officer_id, password):
        session = requests.Session()
        answer = session.post(self.portal + "/can-bo/dang-nhap", data={"id": officer_id, "password": password},
                              headers={"Origin": self.portal}, allow_redirects=False, timeout=30)
        if answer.status_code != 303:
            raise Failure(f"officer {officer_id} could not sign in: {answer.status_code}")
        # The session cookie is Secure (__Host-): requests keeps it for https only, so over the
        # test's plain loopback HTTP it is sent by hand, as the Swift tests' browser does.
        session.cookies.clear()
        session.headers["Cookie"] = answer.headers["Set-Cookie"].split(";", 1)[0]
        return session

    def act(self, officer, dossier_id, action, fields=None, files=None):
        # The console reads the dossier as its list does, which may lag the step just taken by
        # a moment: the form for the next step is waited for.
        deadline = time.time() + 10
        while True:
            page = officer.get(f"{self.portal}/can-bo/ho-so/{dossier_id}", timeout=30).text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
            section = page.split(f'id="a{action}"', 1)
            if csrf and len(section) == 2:
                break
            if time.time() > deadline:
                raise Failure(f"no form for action {action} on dossier {dossier_id}")
            time.sleep(0.3)
        version = re.search(r'name="expected_version" value="([^"]+)"', section[1]).group(1)
        data = {"csrf_token": csrf.group(1), "action": str(action), "expected_version": version, **(fields or {})}
        answer = officer.post(f"{self.portal}/can-bo/ho-so/{dossier_id}/xu-ly", data=data, files=files,
                              headers={"Origin": self.portal}, allow_redirects=False, timeout=30)
        if answer.status_code != 303:
            said = re.findall(r'<p class="(?:error|alert)"[^>]*>(.*?)</p>', answer.text)
            raise Failure(f"action {action} on {dossier_id}: {answer.status_code} {said}")

    def every_state(self, officer_id, officer_password):
        """One dossier per state; returns {state: (id, tracking PIN, receipt code)}."""
        token = self.citizen_token()
        officer = self.officer(officer_id, officer_password)
        made = {}
        steps = {
            "submitted": [],
            "received": [(1, None)],
            "not-received": [(2, {"note": "Hồ sơ không thuộc thẩm quyền."})],
            "processing": [(1, None), (3, None)],
            "supplement-requested": [(4, {"missing_documents": "Bản sao giấy tờ tùy thân"})],
            "awaiting-fee": [(1, None), (3, None), (6, None)],
            "approved": [(1, None), (3, None), (8, {"result_note": "Cấp bản sao trích lục."})],
            "refused": [(1, None), (3, None), (9, {"note": "Không có dữ liệu hộ tịch."})],
            "result-returned": [(1, None), (3, None), (8, {"result_note": "Cấp bản sao trích lục."}), (10, None)],
            "withdrawn": [],
        }
        for name, actions in steps.items():
            dossier_id, pin = self.submit(token, f"a11y-{name}-{uuid.uuid4()}")
            for action, fields in actions:
                files = {"result_document": ("ket-qua.pdf", PDF, "application/pdf")} if action == 8 else None
                self.act(officer, dossier_id, action, fields, files)
            if name == "withdrawn":
                self.withdraw(token, dossier_id)
            _, dossier = self.api("/api/v1/dvc.gateway.v1.DossierService/GetDossier", {"id": dossier_id}, token=token)
            made[name] = (dossier_id, pin, dossier.get("receiptCode", ""))
        # A draft, so that "Hồ sơ nháp" lists one and its "Tiếp tục" opens the form filled in.
        status, answer = self.api("/api/v1/dvc.gateway.v1.DraftService/SaveDraft", {
            "agencyCode": AGENCY, "procedureCode": PROCEDURE,
            "formData": {"nguoi_yeu_cau_ho_ten": "Nguyễn Văn An", "quan_he": "Bản thân"}}, token=token)
        if status != 200:
            raise Failure(f"the draft: {status} {answer}")
        return made


# --- the pages ---------------------------------------------------------------------------------

class Checker:
    def __init__(self, args, driver, axe):
        self.args = args
        self.portal = args.portal.rstrip("/")
        self.driver = driver
        self.axe = axe
        self.checked = []          # {"role", "page", "url"}
        self.codes = set()         # verification codes of signed documents the pages showed
        self.violations = []       # {"role", "page", "rule", "impact", "target", "help", "url"}
        self.overflows = []        # {"role", "page", "width"}

    def wait_new_page(self, old):
        WebDriverWait(self.driver, 30).until(gone(old))
        WebDriverWait(self.driver, 30).until(loaded)

    def content_type(self, url):
        """The answer's type, fetched by the page itself (same cookie) so a download is never
        navigated to."""
        return self.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch(arguments[0], {redirect: 'follow'}).then(r => { done([r.status, r.headers.get('content-type') || '']);
              r.body && r.body.cancel(); }).catch(e => done([0, String(e)]));
        """, url)

    def audit(self, role, label):
        """axe on the page the browser shows now, then the same page 320 px wide."""
        driver = self.driver
        url = driver.current_url
        self.codes.update(re.findall(r"/xac-minh/([0-9A-HJKMNP-TV-Z]{12})", driver.page_source))
        driver.execute_script(self.axe)
        result = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const rules = Object.fromEntries(arguments[1].map(id => [id, {enabled: true}]));
            axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, rules, resultTypes: ['violations']})
              .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                                                     targets: v.nodes.map(n => n.target.join(' '))}))))
              .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), helpUrl: '', targets: []}]));
        """, TAGS, BEST_PRACTICE)
        for violation in result:
            for target in violation["targets"] or [""]:
                self.violations.append({"role": role, "page": label, "url": url, "rule": violation["id"],
                                        "impact": violation["impact"], "target": target,
                                        "help": f"{violation['help']} ({violation['helpUrl']})"})
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": PHONE_WIDTH, "height": 800, "deviceScaleFactor": 1, "mobile": False})
        try:
            width = driver.execute_script("return document.documentElement.scrollWidth")
        finally:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        if width > PHONE_WIDTH:
            wide = driver.execute_script("""
                const limit = arguments[0];
                const wide = e => e.getBoundingClientRect().right > limit + 1;
                return [...document.querySelectorAll('body *')].filter(e => wide(e) && !wide(e.parentElement)
                  && !e.closest('.scroll, .table-wrap')).slice(0, 3).map(e => e.tagName.toLowerCase()
                  + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''));
            """, PHONE_WIDTH)
            self.overflows.append({"role": role, "page": label, "url": url, "width": width, "widest": wide})
        self.checked.append({"role": role, "page": label, "url": url[len(self.portal):]})

    def links(self):
        """Same-origin GET targets on this page: links, and GET forms with their default values."""
        return self.driver.execute_script("""
            const out = [];
            for (const a of document.querySelectorAll('a[href]')) {
              if (a.hasAttribute('download')) continue;
              out.push(a.href);
            }
            for (const form of document.querySelectorAll('form')) {
              if ((form.getAttribute('method') || 'get').toLowerCase() !== 'get') continue;
              const url = new URL(form.action, location.href);
              for (const [name, value] of new FormData(form)) if (typeof value === 'string') url.searchParams.append(name, value);
              out.push(url.href);
            }
            return out;
        """)

    def crawl(self, role, starts, must=()):
        """Breadth first from `starts`, one page per route pattern; `must` are (label, path) visited
        whatever their pattern (a dossier in each state)."""
        seen = set()
        queue = [(None, self.portal + path) for path in starts] + [(label, self.portal + path) for label, path in must]
        visited = 0
        while queue and visited < MAX_PAGES_PER_ROLE:
            label, url = queue.pop(0)
            url = url.split("#", 1)[0]
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != self.portal or SKIPPED.search(parts.path):
                continue
            key = label or pattern(url)
            if key in seen:
                continue
            seen.add(key)
            status, kind = self.content_type(url)
            if status == 0:
                # The page shown forbids the fetch (a one-stop document's own CSP): ask again from
                # the home page, and never skip a page whose type could not be learnt.
                self.driver.get(self.portal + "/")
                status, kind = self.content_type(url)
                if status == 0:
                    raise Failure(f"could not learn what {url} answers: {kind}")
            if "text/html" not in kind:
                continue
            self.driver.get(url)
            visited += 1
            self.audit(role, label or key)
            queue += [(None, link) for link in self.links()]
        return visited

    # --- pages only a POST with errors shows --------------------------------------------------

    def post_form(self, selector, values, novalidate=True):
        """Fills the form found by `selector` with `values` (by name) and submits it without the
        browser's own checks, so the server's error page is what comes back."""
        driver = self.driver
        form = driver.find_element(By.CSS_SELECTOR, selector)
        if novalidate:
            driver.execute_script("arguments[0].noValidate = true", form)
        for name, value in values.items():
            field = form.find_element(By.NAME, name)
            driver.execute_script("arguments[0].value = arguments[1]", field, value)
        old = driver.find_element(By.TAG_NAME, "html")
        driver.execute_script("arguments[0].requestSubmit()", form)
        self.wait_new_page(old)

    def error_page(self, role, label, path, selector, values):
        """The page a POST with errors answers: it must say what is wrong (an error message or a
        field marked invalid), then it is checked like any other."""
        self.driver.get(self.portal + path)
        self.post_form(selector, values)
        if not self.driver.find_elements(By.CSS_SELECTOR, ".error, [role=alert], [aria-invalid=true]"):
            text = self.driver.find_element(By.TAG_NAME, "body").text
            raise Failure(f"{label}: the page after the POST shows no error: {text[:600]}")
        self.audit(role, label)


# --- the keyboard-only journey ---------------------------------------------------------------

# What the focused element is and how it looks, with how it looked before anything was focused
# (`LOOKS`, taken when the page loaded) to compare.
FOCUS_STATE = """
const e = document.activeElement;
if (!e || e === document.body || e === document.documentElement) return null;
const s = getComputedStyle(e);
const r = e.getBoundingClientRect();
const before = window.a11yLooks ? window.a11yLooks.get(e) : undefined;
return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name') || '', type: e.getAttribute('type') || '',
        href: e.getAttribute('href') || '', text: (e.innerText || e.value || '').trim().replace(/\\s+/g, ' ').slice(0, 60),
        look: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor + ' | ' + s.boxShadow,
        before: before === undefined ? null : before, top: Math.round(r.top + scrollY), left: Math.round(r.left + scrollX)};
"""

LOOKS = """
window.a11yLooks = new Map();
for (const e of document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')) {
  if (e === document.activeElement) continue;
  const s = getComputedStyle(e);
  window.a11yLooks.set(e, s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor + ' | ' + s.boxShadow);
}
"""


class Keyboard:
    """Only keys reach the page: send_keys to the focused element (TAB, SHIFT+TAB, ENTER, SPACE,
    arrows, and text typed into a field), never a click."""

    def __init__(self, checker, workflow, args):
        self.checker = checker
        self.workflow = workflow
        self.driver = checker.driver
        self.portal = checker.portal
        self.args = args
        self.seen = {"orders": {}, "unmarked_focus": [], "out_of_order": []}

    def key(self, *keys):
        """Keys pressed on the page as a keyboard does, to whatever has the focus (through
        WebDriver's actions, not an element's send_keys, which on a file input sets a file)."""
        ActionChains(self.driver).send_keys(*keys).perform()

    def focused(self):
        return self.driver.execute_script(FOCUS_STATE)

    def loaded(self):
        """A new page: how its controls look unfocused, before the first TAB."""
        self.driver.execute_script(LOOKS)

    def open(self, path):
        self.driver.get(self.portal + path)
        self.loaded()

    def tab(self, back=False):
        """One TAB (or SHIFT+TAB); records a focused element that looks as it did unfocused."""
        if back:
            ActionChains(self.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        else:
            self.key(Keys.TAB)
        state = self.focused()
        if state is not None and state["before"] is not None and state["look"] == state["before"]:
            self.seen["unmarked_focus"].append(f"{urlsplit(self.driver.current_url).path}: {describe(state)} ({state['look']})")
        return state

    def tab_to(self, matches, what, limit=80):
        """TABs until `matches(state)`; returns the stops on the way (the focus order)."""
        stops = []
        for _ in range(limit):
            state = self.tab()
            if state is None:
                continue
            stops.append(state)
            if matches(state):
                return stops
        raise Failure(f"{what} was never reached with TAB on {self.driver.current_url}; the stops: {[describe(s) for s in stops]}")

    def enter_and_wait(self, keys=Keys.ENTER):
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.key(keys)
        self.checker.wait_new_page(old)
        self.loaded()

    def order(self, page, stops, starts=None):
        """Records the focus order and checks it follows the reading order: each stop on the same
        line as the one before and to its right, or further down (the header's links wrap).
        `starts`: what the first stops must be, in order."""
        self.seen["orders"][page] = [describe(s) for s in stops]
        for before, after in zip(stops, stops[1:]):
            same_line = abs(after["top"] - before["top"]) <= 8
            if (not same_line and after["top"] < before["top"]) or (same_line and after["left"] < before["left"] - 8):
                self.seen["out_of_order"].append(f"{page}: {describe(before)} → {describe(after)}")
        if starts:
            got = [describe(s) for s in stops[:len(starts)]]
            if got != starts:
                raise Failure(f"the focus order on {page} starts {got}, expected {starts}")

    def journey(self):
        driver = self.driver
        self.open("/")
        # The skip link: the first stop; ENTER moves the focus to the main content, and the next
        # TAB reaches the search box, not the header's links.
        first = self.tab()
        if not first or first["href"] != "#noi-dung" or first["text"] != "Bỏ qua đến nội dung chính":
            raise Failure(f"the first TAB stop is not the skip link: {first}")
        self.key(Keys.ENTER)
        landed = driver.execute_script("return document.activeElement.id")
        if landed != "noi-dung":
            raise Failure(f"the skip link moved the focus to {landed!r}, not to the main content")
        after = self.tab()
        if not after or after["id"] != "q":
            raise Failure(f"after the skip link, TAB reached {describe(after)}, not the search box")
        # The home page's order from the top, then SHIFT+TAB goes back the same way.
        self.open("/")
        home = self.tab_to(lambda s: s["id"] == "q", "the search box")
        self.order("/", home, starts=[
            "a[href=#noi-dung] Bỏ qua đến nội dung chính", "a[href=/] Cổng dịch vụ công trực tuyến", "a[href=/] Thủ tục",
            "a[href=/tra-cuu-ho-so] Tra cứu hồ sơ", "a[href=/thong-ke] Thống kê", "a[href=/chi-so-phuc-vu] Chỉ số phục vụ",
            "a[href=/ho-so-cua-toi] Hồ sơ của tôi", "a[href=/ho-so-nhap] Hồ sơ nháp", "a[href=/hop-thu] Hộp thư",
            "input[name=q]"])
        back = self.tab(back=True)
        if describe(back) != "a[href=/hop-thu] Hộp thư":
            raise Failure(f"SHIFT+TAB from the search box reached {describe(back)}")
        self.tab()
        # Search by typing and ENTER; the first result by TAB.
        self.key("trich luc khai sinh")
        self.enter_and_wait()
        results = self.tab_to(lambda s: s["href"] == f"/thu-tuc/{PROCEDURE}", "the procedure's link in the results")
        self.order("/thu-tuc?q=…", results)
        self.enter_and_wait()
        check_heading(driver, "Cấp bản sao trích lục khai sinh")
        # The agency's "Nộp hồ sơ trực tuyến" (signed out: the sign-in page comes first, then
        # the form).
        stops = self.tab_to(lambda s: s["href"] == f"/nop-ho-so/{PROCEDURE}?co_quan={AGENCY}", "the agency's submission link")
        self.order(f"/thu-tuc/{PROCEDURE}", stops)
        self.enter_and_wait()
        self.sign_in()
        check_heading(driver, "Nộp hồ sơ trực tuyến")
        self.fill()
        slip = self.slip()
        self.track(slip)
        return self.seen

    def sign_in(self):
        a = self.args
        stops = self.tab_to(lambda s: s["id"] == "id", "the sign-in's identity field")
        self.key(a.citizen_id)
        stops += self.tab_to(lambda s: s["id"] == "password", "the password field", limit=5)
        self.key(a.citizen_password)
        self.order("/dang-nhap", stops)
        self.enter_and_wait()

    def fill(self):
        """Every field of the form in TAB order, typed or chosen with the arrow keys, the file
        attached, then SPACE on the submit button."""
        a = self.args
        values = {
            "nguoi_yeu_cau_ho_ten": "Nguyễn Văn An", "nguoi_yeu_cau_so_dinh_danh": a.citizen_id,
            "nguoi_yeu_cau_noi_cu_tru": "Phường Điện Biên, Quận Ba Đình", "ho_ten_nguoi_duoc_cap": "Nguyễn Văn An",
            "noi_dang_ky": "UBND phường Điện Biên", "so_ban_sao": "1",
        }
        stops = self.tab_to(lambda s: s["name"] == "nguoi_yeu_cau_ho_ten", "the form's first field")
        order = [stops[-1]]
        done = set()
        state = stops[-1]
        for _ in range(40):
            name = state["name"]
            if name in values and name not in done:
                self.key(values[name])
                done.add(name)
            elif name == "quan_he" and name not in done:
                self.key(Keys.ARROW_DOWN)            # "Bản thân", the first choice after "— Chọn —"
                done.add(name)
            elif name == "tep_0" and name not in done:
                # The system's file dialog cannot be typed into: WebDriver gives the focused
                # input its file by path.
                self.driver.switch_to.active_element.send_keys(a.attachment)
                done.add(name)
            elif state["tag"] == "button" and state["type"] == "submit":
                break
            state = self.tab()
            order.append(state)
        names = [s["name"] for s in order if s["name"]]
        dom = self.driver.execute_script("""
            return [...document.querySelector("form[enctype='multipart/form-data']").elements]
              .filter(e => e.type !== 'hidden' && e.name).map(e => e.name);""")
        visited = list(dict.fromkeys(names))
        if [n for n in dict.fromkeys(dom) if n in visited] != visited:
            raise Failure(f"the form's TAB order {visited} is not its reading order {dom}")
        self.order("/nop-ho-so", order)
        missing = (set(values) | {"quan_he", "tep_0"}) - done
        if missing:
            raise Failure(f"never reached by TAB on the form: {sorted(missing)}; the stops: {[describe(s) for s in order]}")
        chosen = self.driver.find_element(By.ID, "quan_he").get_attribute("value")
        if chosen != "Bản thân":
            raise Failure(f"the arrow key chose {chosen!r} in the relationship list")
        self.enter_and_wait(Keys.SPACE)      # SPACE presses the focused "Nộp hồ sơ" button

    def slip(self):
        driver = self.driver
        check_heading(driver, "Đã nộp hồ sơ")
        pin = driver.find_element(By.ID, "tracking-pin").text
        self.seen["slip_pin_digits"] = len(pin)
        stops = self.tab_to(lambda s: s["text"] == "Xem hồ sơ", "the slip's link to the dossier")
        self.order("phiếu nộp hồ sơ", stops)
        self.enter_and_wait()
        dossier_id = urlsplit(driver.current_url).path.rsplit("/", 1)[-1]
        # The agency receives it (the receipt code is given at reception), as its officer does.
        officer = self.workflow.officer(self.args.officer_id, self.args.officer_password)
        self.workflow.act(officer, dossier_id, 1)
        driver.refresh()
        self.loaded()
        code = driver.find_element(By.TAG_NAME, "h1").text.replace("Hồ sơ", "").strip()
        self.seen["receipt_code"] = code
        return {"pin": pin, "code": code}

    def track(self, slip):
        """From the header's "Tra cứu hồ sơ": the code, the PIN, ENTER."""
        driver = self.driver
        self.tab_to(lambda s: s["href"] == "/tra-cuu-ho-so", "the header's tracking link")
        self.enter_and_wait()
        stops = self.tab_to(lambda s: s["name"] == "ma", "the tracking form's code field")
        ActionChains(self.driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
        self.key(slip["code"])
        stops += self.tab_to(lambda s: s["name"] == "pin", "the PIN field", limit=5)
        self.key(slip["pin"])
        self.order("/tra-cuu-ho-so", stops)
        self.enter_and_wait()
        facts = driver.find_elements(By.ID, "tracked")
        if not facts or slip["code"] not in facts[0].text or "Được tiếp nhận" not in facts[0].text:
            raise Failure(f"tracking by keyboard did not show the dossier: {driver.find_element(By.TAG_NAME, 'body').text[:600]}")
        self.seen["tracked"] = facts[0].text.replace("\n", " | ")


def describe(state):
    if state is None:
        return "(nothing)"
    what = state["tag"]
    if state["href"]:
        what += f"[href={state['href']}]"
    elif state["name"]:
        what += f"[name={state['name']}]"
    return (what + " " + state["text"]).strip()


def check_heading(driver, text):
    heading = driver.find_element(By.TAG_NAME, "h1").text
    if heading != text:
        raise Failure(f"expected the page {text!r}, the browser shows {heading!r} at {driver.current_url}")


# --- the run -------------------------------------------------------------------------------------

def sign_in(checker, path, selector, user, password):
    driver = checker.driver
    driver.delete_all_cookies()
    driver.get(checker.portal + path)
    form = driver.find_element(By.CSS_SELECTOR, selector)
    form.find_element(By.NAME, "id").send_keys(user)
    form.find_element(By.NAME, "password").send_keys(password)
    old = driver.find_element(By.TAG_NAME, "html")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    checker.wait_new_page(old)


def run(args, report):
    started = time.time()
    workflow = Workflow(args.portal.rstrip("/"), args.citizen_id, args.citizen_password)
    made = workflow.every_state(args.officer_id, args.officer_password)
    report["states"] = sorted(made)
    report["setup_seconds"] = round(time.time() - started, 1)
    driver = browser(args.shots, "a11y")
    try:
        checker = Checker(args, driver, axe_source())
        driver.get(checker.portal + "/")
        driver.execute_script(checker.axe)
        report["axe_version"] = driver.execute_script("return axe.version")

        # Anonymous, and the pages a refused POST answers.
        # A procedure's page is named as a start: the crawl keeps one page per route pattern, and
        # the first agency it meets may offer no procedure.
        checker.crawl("khách", ["/", "/tra-cuu-ho-so", "/dang-nhap", "/dang-ky", "/can-bo/dang-nhap", f"/thu-tuc/{PROCEDURE}"])
        checker.error_page("khách", "đăng nhập sai mật khẩu", "/dang-nhap", "form[action='/dang-nhap']",
                           {"id": args.citizen_id, "password": "sai mật khẩu"})
        checker.error_page("khách", "đăng ký thiếu thông tin", "/dang-ky", "form[action='/dang-ky']", {})
        checker.error_page("khách", "tra cứu sai mã tra cứu", "/tra-cuu-ho-so", "form[action='/tra-cuu-ho-so']",
                           {"ma": made["received"][2], "pin": "00000000"})
        checker.error_page("khách", "cán bộ đăng nhập sai mật khẩu", "/can-bo/dang-nhap", "form[action^='/can-bo/dang-nhap']",
                           {"id": args.officer_id, "password": "sai mật khẩu"})

        # The citizen, with a dossier in every state.
        sign_in(checker, "/dang-nhap", "form[action='/dang-nhap']", args.citizen_id, args.citizen_password)
        checker.crawl("công dân", ["/", "/ho-so-cua-toi", "/hop-thu", "/tai-khoan", f"/thu-tuc/{PROCEDURE}",
                                   f"/nop-ho-so/{PROCEDURE}?co_quan={AGENCY}"],
                      [(f"hồ sơ {state}", f"/ho-so/{dossier_id}") for state, (dossier_id, _, _) in made.items()])
        checker.error_page("công dân", "nộp hồ sơ thiếu thông tin", f"/nop-ho-so/{PROCEDURE}?co_quan={AGENCY}",
                           "form[enctype='multipart/form-data']", {})

        # The officer, with every dossier, and an action refused for want of its reason.
        sign_in(checker, "/can-bo/dang-nhap", "form[action^='/can-bo/dang-nhap']", args.officer_id, args.officer_password)
        checker.crawl("cán bộ", ["/can-bo"],
                      [(f"bàn làm việc: hồ sơ {state}", f"/can-bo/ho-so/{dossier_id}") for state, (dossier_id, _, _) in made.items()])
        checker.error_page("cán bộ", "từ chối tiếp nhận không nêu lý do", f"/can-bo/ho-so/{made['submitted'][0]}", "#a2 form",
                           {"note": ""})

        # The public verification of a signed document (a code some page showed), an unknown code,
        # and the answer to a file that does not match what was signed.
        if not checker.codes:
            raise Failure("no page showed the verification code of a signed document")
        code = sorted(checker.codes)[0]
        checker.crawl("khách", ["/xac-minh"], [("xác minh văn bản đã ký", f"/xac-minh/{code}"),
                                              ("xác minh mã không có", "/xac-minh/000000000000")])
        checker.driver.get(checker.portal + f"/xac-minh/{code}")
        checker.post_form("form[action^='/xac-minh/']", {"sha256": "0" * 64})
        checker.audit("khách", "xác minh tệp không khớp")

        # The agency's administrator.
        sign_in(checker, "/can-bo/dang-nhap", "form[action^='/can-bo/dang-nhap']", args.admin_id, args.admin_password)
        checker.crawl("quản trị", ["/can-bo", "/can-bo/quan-tri"])
        checker.error_page("quản trị", "thêm cán bộ sai thông tin", "/can-bo/quan-tri", "form[action='/can-bo/quan-tri']",
                           {"id": "Sai Ten", "password": "ngan"})
        report["pages"] = checker.checked
        report["violations"] = checker.violations
        report["overflows"] = checker.overflows

        # The keyboard journey, signed out.
        driver.delete_all_cookies()
        report["keyboard"] = Keyboard(checker, workflow, args).journey()
    finally:
        driver.quit()


# A page with faults of each kind the check must catch: an input without a label, an image
# without a text alternative, faint text, no lang, no main landmark, and a box wider than a phone.
FAULTY_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Trang lỗi mẫu</title></head><body>
<h1>Trang lỗi mẫu</h1><input name="x"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#bbb">Chữ mờ</p><div style="width:600px">Rộng</div></body></html>"""
FAULTS = {"label", "image-alt", "color-contrast", "html-has-lang", "landmark-one-main"}


def self_test(args, report):
    """The check itself, on FAULTY_PAGE: every fault must be reported, or a page with faults
    could pass."""
    driver = browser(args.shots, "a11y-self-test")
    try:
        checker = Checker(args, driver, axe_source())
        driver.get("data:text/html;charset=utf-8," + quote(FAULTY_PAGE))
        checker.audit("tự kiểm tra", "trang lỗi mẫu")
    finally:
        driver.quit()
    found = {v["rule"] for v in checker.violations}
    report["self_test"] = {"rules": sorted(found), "overflow": bool(checker.overflows)}
    missed = sorted(FAULTS - found) + ([] if checker.overflows else ["320 px"])
    if missed:
        raise Failure(f"the check missed faults on a faulty page: {missed}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--self-test", action="store_true", help="only check that the check catches known faults")
    parser.add_argument("--portal", required=True)
    parser.add_argument("--citizen-id")
    parser.add_argument("--citizen-password")
    parser.add_argument("--officer-id", help="receiver, processor and approver at UBND Quận Ba Đình")
    parser.add_argument("--officer-password")
    parser.add_argument("--admin-id", help="the agency's administrator")
    parser.add_argument("--admin-password")
    parser.add_argument("--attachment", help="a PDF the keyboard journey attaches")
    parser.add_argument("--shots", required=True, help="a folder for the driver's log")
    args = parser.parse_args()
    needed = ["citizen_id", "citizen_password", "officer_id", "officer_password", "admin_id", "admin_password", "attachment"]
    if not args.self_test and any(getattr(args, name) is None for name in needed):
        parser.error("every account and --attachment are needed (all but --portal and --shots only with --self-test)")
    os.makedirs(args.shots, exist_ok=True)
    report = {}
    started = time.time()
    failure = None
    try:
        if args.self_test:
            self_test(args, report)
        else:
            run(args, report)
    except (Failure, WebDriverException) as error:
        failure = f"{type(error).__name__}: {error}"
    report["seconds"] = round(time.time() - started, 1)
    problems = []
    if failure:
        problems.append(failure)
    for v in report.get("violations", []):
        problems.append(f"[{v['role']}] {v['page']}: {v['rule']} ({v['impact']}) at {v['target']} — {v['help']}")
    for o in report.get("overflows", []):
        problems.append(f"[{o['role']}] {o['page']}: {o['width']} px wide at {PHONE_WIDTH} px ({', '.join(o['widest'])})")
    for focus in report.get("keyboard", {}).get("unmarked_focus", []):
        problems.append(f"focus not visible: {focus}")
    for step in report.get("keyboard", {}).get("out_of_order", []):
        problems.append(f"focus order against the reading order: {step}")
    report["problems"] = problems
    print(json.dumps(report, ensure_ascii=False))
    print(f"accessibility: {len(report.get('pages', []))} pages checked", file=sys.stderr)
    for page in report.get("pages", []):
        print(f"  [{page['role']}] {page['page']}  {page['url']}", file=sys.stderr)
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
