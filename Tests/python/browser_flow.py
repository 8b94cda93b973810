#!/usr/bin/env python3
"""The portal in a real browser: Debian's headless Chromium driven by Selenium through the
system chromedriver (offline: no driver is downloaded).

A citizen registers, finds "Đăng ký khai sinh" by typing "dang ky khai sinh", sees that a level-2
agency offers only the forms to download, gets a wrong field's error beside it, submits a level-4
dossier with an attachment; an officer receives it and asks for the fee; the citizen pays through
the payment sandbox; the officer approves with a result document and returns it; the citizen
downloads the result and reads the inbox. A script typed into a field stays text.

Screenshots of the main pages go to --shots (a test artifact; look at them). Prints one JSON
object with what it saw; exits non-zero with the reason when something is wrong.
"""
import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
import time

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never try the network.

from selenium import webdriver
from selenium.common.exceptions import SessionNotCreatedException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

PROCEDURE = "1.001193"
LEVEL_FOUR = "000.01.20.H26"
LEVEL_TWO = "000.02.22.H26"
SCRIPT = "<script>document.title='bi-tan-cong'</script>"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def browser(shots, name, width=1280, height=900):
    """A headless Chromium with a fresh profile of its own (nothing read from or written to the
    user's home) and the driver's log beside the screenshots, so a browser that will not
    start says why. A start that fails is tried once more: the first start on a fresh machine
    builds caches and can be slow."""
    profile = tempfile.mkdtemp(prefix=f"dvc-chromium-{name}-")
    atexit.register(shutil.rmtree, profile, True)
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--disable-breakpad", "--disable-crash-reporter", f"--user-data-dir={profile}",
                     f"--window-size={width},{height}", "--lang=vi-VN", "--no-first-run"):
        options.add_argument(argument)
    log = os.path.join(shots, f"chromedriver-{name}.log")
    for attempt in (1, 2):
        service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"), log_output=log,
                          service_args=["--enable-chrome-logs"])
        try:
            driver = webdriver.Chrome(service=service, options=options)
            break
        except SessionNotCreatedException as refused:
            if attempt == 2:
                with open(log, errors="replace") as lines:
                    # The log's own lines and Chrome's output, without the JSON it dumps.
                    tail = "".join([line for line in lines if not line.startswith((" ", "{", "}"))][-20:])
                raise Failure(f"the {name} browser did not start: {refused.msg}\n{log}:\n{tail}") from refused
            time.sleep(1)
    driver.set_page_load_timeout(30)
    return driver


def gone(element):
    """True once `element`'s document has been replaced. Selenium's `staleness_of` expects a
    "stale element" error, but while a navigation is under way Chrome may answer "node does not
    belong to the document" (a plain WebDriverException) instead, which `until` does not ignore:
    any WebDriver error from the old element means it is gone."""
    def check(_driver):
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True
    return check


def loaded(driver):
    return driver.execute_script("return document.readyState") == "complete"


class Flow:
    def __init__(self, args):
        self.args = args
        self.portal = args.portal.rstrip("/")
        self.seen = {"screenshots": []}
        os.makedirs(args.shots, exist_ok=True)

    def shot(self, driver, name):
        """A full-page screenshot: the window grows to the page's height first."""
        width = driver.execute_script("return window.innerWidth")
        height = driver.execute_script("return Math.max(document.body.scrollHeight, 600)")
        driver.set_window_size(max(width, 360), min(height + 120, 4000))
        path = os.path.join(self.args.shots, f"{name}.png")
        driver.save_screenshot(path)
        self.seen["screenshots"].append(path)

    def open(self, driver, path):
        driver.get(self.portal + path)

    def text(self, driver):
        return driver.find_element(By.TAG_NAME, "body").text

    def submit(self, driver, form):
        """Clicks the form's button and waits for the next page to replace this one."""
        page = driver.find_element(By.TAG_NAME, "html")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(driver, 30).until(gone(page))
        WebDriverWait(driver, 30).until(loaded)

    def follow(self, driver, link):
        page = driver.find_element(By.TAG_NAME, "html")
        link.click()
        WebDriverWait(driver, 30).until(gone(page))
        WebDriverWait(driver, 30).until(loaded)

    def wait_text(self, driver, needle, path=None, seconds=15):
        """Reloads `path` (or the current page) until its text contains `needle`."""
        deadline = time.time() + seconds
        while True:
            if needle in self.text(driver):
                return
            if time.time() > deadline:
                raise Failure(f"never saw {needle!r} on {driver.current_url}:\n{self.text(driver)[:1500]}")
            time.sleep(0.5)
            if path:
                self.open(driver, path)
            else:
                driver.refresh()

    # --- the citizen ------------------------------------------------------------------------

    def register_and_sign_in(self, citizen):
        a = self.args
        self.open(citizen, "/dang-ky")
        citizen.find_element(By.ID, "id").send_keys(a.citizen_id)
        citizen.find_element(By.ID, "full_name").send_keys("Nguyễn Văn An")
        citizen.find_element(By.ID, "email").send_keys("an@example.vn")
        citizen.find_element(By.ID, "password").send_keys(a.citizen_password)
        self.shot(citizen, "01-dang-ky")
        self.submit(citizen, citizen.find_element(By.CSS_SELECTOR, "form[action='/dang-ky']"))
        check("Đã nhận đăng ký" in self.text(citizen), "registration did not lead to the sign-in page")
        citizen.find_element(By.ID, "id").send_keys(a.citizen_id)
        citizen.find_element(By.ID, "password").send_keys(a.citizen_password)
        self.submit(citizen, citizen.find_element(By.CSS_SELECTOR, "form[action='/dang-nhap']"))
        check(citizen.current_url.endswith("/ho-so-cua-toi"), f"sign-in ended at {citizen.current_url}")
        # The browser kept the session under the __Host- prefix (it refuses one not Secure, not
        # Path=/ or with a Domain).
        self.seen["session_cookies"] = [{"name": c["name"], "secure": c.get("secure"), "path": c.get("path"),
                                         "httpOnly": c.get("httpOnly")} for c in citizen.get_cookies()]

    def find_procedure(self, citizen):
        self.open(citizen, "/")
        box = citizen.find_element(By.ID, "q")
        box.send_keys("dang ky khai sinh")
        self.submit(citizen, citizen.find_element(By.CSS_SELECTOR, "form.search"))
        link = citizen.find_element(By.LINK_TEXT, "Đăng ký khai sinh")
        self.shot(citizen, "02-tim-kiem")
        self.follow(citizen, link)
        check(citizen.find_element(By.TAG_NAME, "h1").text == "Đăng ký khai sinh", "the procedure page did not open")
        self.shot(citizen, "03-thu-tuc")
        level_two = citizen.find_element(By.CSS_SELECTOR, f"tr[data-agency='{LEVEL_TWO}']")
        check("mức độ 2" in level_two.text and "Tải biểu mẫu" in level_two.text, "the level-2 row offers no download")
        check(not level_two.find_elements(By.PARTIAL_LINK_TEXT, "Nộp hồ sơ trực tuyến"), "the level-2 row offers online submission")
        # Level 2 offers only the download, even when the submission page is asked for directly.
        self.open(citizen, f"/nop-ho-so/{PROCEDURE}?co_quan={LEVEL_TWO}")
        check("Chưa nộp hồ sơ trực tuyến được" in self.text(citizen), "level 2 was not refused")
        check(not citizen.find_elements(By.CSS_SELECTOR, "input[type=file]"), "level 2 shows a file input")
        download = citizen.find_element(By.PARTIAL_LINK_TEXT, "Tờ khai đăng ký khai sinh")
        check("/bieu-mau/" in download.get_attribute("href"), "no form download at level 2")
        self.shot(citizen, "04-muc-do-2-chi-tai-bieu-mau")
        self.seen["level_two_download"] = download.get_attribute("href")
        self.open(citizen, f"/thu-tuc/{PROCEDURE}")
        row = citizen.find_element(By.CSS_SELECTOR, f"tr[data-agency='{LEVEL_FOUR}']")
        self.follow(citizen, row.find_element(By.PARTIAL_LINK_TEXT, "Nộp hồ sơ trực tuyến"))

    def fill(self, citizen, values):
        for name, value in values.items():
            element = citizen.find_element(By.NAME, name)
            if element.tag_name == "select":
                Select(element).select_by_visible_text(value)
            elif element.get_attribute("type") == "date":
                citizen.execute_script("arguments[0].value = arguments[1]", element, value)
            else:
                element.clear()
                element.send_keys(value)

    def submit_dossier(self, citizen):
        a = self.args
        check(citizen.find_element(By.TAG_NAME, "h1").text == "Nộp hồ sơ trực tuyến", f"not the form: {citizen.current_url}")
        values = {
            "nguoi_yeu_cau_ho_ten": "Nguyễn Văn An", "nguoi_yeu_cau_so_dinh_danh": "123",
            "nguoi_yeu_cau_noi_cu_tru": "12 Phúc Xá, Ba Đình", "quan_he_voi_nguoi_duoc_khai_sinh": "Cha",
            "ho_ten": "Nguyễn Minh Khôi", "ngay_sinh": "2026-08-01", "gioi_tinh": "Nam", "dan_toc": "Kinh",
            "quoc_tich": "Việt Nam", "noi_sinh": SCRIPT, "que_quan": "Hà Nội",
        }
        self.fill(citizen, values)
        citizen.find_element(By.NAME, "tep_1").send_keys(a.attachment)
        self.submit(citizen, citizen.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data']"))
        # The wrong field's error, right after its input, and the other values kept.
        field = citizen.find_element(By.NAME, "nguoi_yeu_cau_so_dinh_danh")
        check(field.get_attribute("aria-invalid") == "true", "the wrong field is not marked")
        error = field.find_element(By.XPATH, "following-sibling::p[@class='error']")
        check("12 chữ số" in error.text, f"the error beside the field says {error.text!r}")
        check(citizen.find_element(By.NAME, "noi_sinh").get_attribute("value") == SCRIPT, "a typed value was not kept")
        check(citizen.title != "bi-tan-cong", "a typed script ran")
        citizen.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
        self.shot(citizen, "05-loi-ben-canh-truong")
        self.seen["field_error"] = error.text
        self.fill(citizen, {"nguoi_yeu_cau_so_dinh_danh": a.citizen_id})
        citizen.find_element(By.NAME, "tep_1").send_keys(a.attachment)
        self.submit(citizen, citizen.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data']"))
        check(citizen.find_element(By.TAG_NAME, "h1").text == "Đã nộp hồ sơ", f"no slip: {self.text(citizen)[:800]}")
        self.seen["pin"] = citizen.find_element(By.ID, "tracking-pin").text
        check(citizen.find_element(By.CSS_SELECTOR, "button.print").is_displayed(), "the portal's script did not run (no print button)")
        link = citizen.find_element(By.LINK_TEXT, "Xem hồ sơ").get_attribute("href")
        self.seen["dossier_path"] = link[len(self.portal):]
        self.shot(citizen, "06-phieu-nop-ho-so")

    def pay(self, citizen):
        path = self.seen["dossier_path"]
        self.wait_text(citizen, "Thanh toán phí, lệ phí", path)
        self.shot(citizen, "09-yeu-cau-thanh-toan")
        self.submit(citizen, citizen.find_element(By.CSS_SELECTOR, f"form[action='{path}/thanh-toan']"))
        # The form answers with a page linking to the provider (the pages' form-action 'self'
        # keeps a form's redirect from leaving the portal): still the portal, under its policy.
        check(citizen.current_url.startswith(self.portal), f"the payment form left the portal: {citizen.current_url}")
        link = citizen.find_element(By.ID, "payment-link")
        check(not link.get_attribute("href").startswith(self.portal), f"the link stays on the portal: {link.get_attribute('href')}")
        self.shot(citizen, "09b-sang-cong-thanh-toan")
        # Through the provider (the sandbox) and back to the portal's return page.
        link.click()
        WebDriverWait(citizen, 20).until(lambda d: "/payment/vnpay/return" in d.current_url)
        check("Thanh toán thành công" in self.text(citizen), f"payment page says: {self.text(citizen)[:500]}")
        self.seen["payment_return"] = citizen.find_element(By.TAG_NAME, "p").text
        self.shot(citizen, "10-thanh-toan-thanh-cong")
        self.follow(citizen, citizen.find_element(By.LINK_TEXT, "Xem hồ sơ"))
        self.wait_text(citizen, "Đang xử lý")
        self.wait_text(citizen, "biên lai số")

    def result_and_inbox(self, citizen):
        path = self.seen["dossier_path"]
        self.wait_text(citizen, "Đã trả kết quả", path)
        link = citizen.find_element(By.PARTIAL_LINK_TEXT, "Tải kết quả")
        href = link.get_attribute("href")
        # The download, fetched by the page itself (same cookie, same origin).
        head = citizen.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch(arguments[0]).then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'),
                String.fromCharCode(...new Uint8Array(b).slice(0, 5)), b.byteLength])));
        """, href)
        check(head[0] == 200 and head[2] == "%PDF-", f"the result download answered {head}")
        self.seen["result"] = {"status": head[0], "type": head[1], "bytes": head[3]}
        check(citizen.title != "bi-tan-cong" and SCRIPT in self.text(citizen), "the script typed into a field did not stay text")
        self.shot(citizen, "13-ket-qua")
        receipt = citizen.find_element(By.PARTIAL_LINK_TEXT, "Giấy tiếp nhận hồ sơ")
        self.seen["receipt_code"] = citizen.find_element(By.TAG_NAME, "h1").text.replace("Hồ sơ", "").strip()
        receipt.get_attribute("href")
        self.open(citizen, "/hop-thu")
        self.wait_text(citizen, self.seen["receipt_code"], "/hop-thu", seconds=20)
        self.seen["inbox"] = [e.text for e in citizen.find_elements(By.CSS_SELECTOR, ".message h2")]
        self.shot(citizen, "14-hop-thu")
        # The PIN is typed and posted, never put in the address.
        self.open(citizen, f"/tra-cuu-ho-so?ma={self.seen['receipt_code']}")
        citizen.find_element(By.ID, "pin").send_keys(self.seen["pin"])
        self.submit(citizen, citizen.find_element(By.CSS_SELECTOR, "form[action='/tra-cuu-ho-so']"))
        check("Đã trả kết quả" in self.text(citizen), "tracking by code and PIN does not show the state")
        check(self.seen["pin"] not in citizen.current_url, "the tracking PIN ended up in the address")
        self.shot(citizen, "15-tra-cuu")
        self.open(citizen, "/thong-ke")
        row = citizen.find_element(By.CSS_SELECTOR, f"tr[data-agency='{LEVEL_FOUR}']")
        self.seen["statistics_row"] = row.text
        self.shot(citizen, "16-thong-ke")

    # --- the officer ------------------------------------------------------------------------

    def officer_sign_in(self, officer):
        a = self.args
        self.open(officer, "/can-bo/dang-nhap")
        officer.find_element(By.NAME, "id").send_keys(a.officer_id)
        officer.find_element(By.NAME, "password").send_keys(a.officer_password)
        self.submit(officer, officer.find_element(By.CSS_SELECTOR, "form[action^='/can-bo/dang-nhap']"))

    def act(self, officer, action, extra=None, files=None):
        """Submits the console's form for `action` (the proto number) on the dossier's page."""
        form = officer.find_element(By.XPATH, f"//form[.//input[@name='action' and @value='{action}']]")
        for name, value in (extra or {}).items():
            element = form.find_element(By.NAME, name)
            if element.get_attribute("type") in ("datetime-local", "date"):
                officer.execute_script("arguments[0].value = arguments[1]", element, value)
            else:
                element.send_keys(value)
        for name, path in (files or {}).items():
            form.find_element(By.NAME, name).send_keys(path)
        self.submit(officer, form)
        check("da_xu_ly=1" in officer.current_url, f"action {action} was not done: {self.text(officer)[:800]}")

    def officer_open_dossier(self, officer, shot_queue):
        dossier_id = self.seen["dossier_path"].rsplit("/", 1)[-1]
        self.open(officer, "/can-bo")
        link = officer.find_element(By.CSS_SELECTOR, f"a[href='/can-bo/ho-so/{dossier_id}']")
        if shot_queue:
            self.shot(officer, "07-can-bo-hang-doi")
        self.follow(officer, link)
        return dossier_id

    def run(self):
        return self.run_journey("citizen", "officer")

    def run_journey(self, *names):
        """Starts a browser per name, in order, and runs `journey` with them, reporting as
        `reporting` does."""
        drivers = {}

        def body():
            for name in names:
                drivers[name] = browser(self.args.shots, name)
            self.journey(*drivers.values())
        return self.reporting(drivers, body)

    def reporting(self, drivers, body):
        """Runs `body`, which starts its browsers into `drivers` (name to driver); always prints
        the JSON report, with the failure and where each browser stood when anything at all went
        wrong (a browser that would not start included), and quits every browser left in
        `drivers`. Returns the exit status."""
        try:
            body()
        except (Failure, WebDriverException) as failure:
            for name, driver in drivers.items():
                try:
                    driver.save_screenshot(os.path.join(self.args.shots, f"failed-{name}.png"))
                    self.seen[f"{name}_at"] = driver.current_url
                    self.seen[f"{name}_text"] = self.text(driver)[:2000]
                except Exception:  # noqa: BLE001 - the report matters more than a second error
                    pass
            self.seen["failure"] = f"{type(failure).__name__}: {failure}"
            print(json.dumps(self.seen, ensure_ascii=False))
            return 1
        finally:
            for driver in drivers.values():
                driver.quit()
        print(json.dumps(self.seen, ensure_ascii=False))
        return 0

    def journey(self, citizen, officer):
        self.register_and_sign_in(citizen)
        self.find_procedure(citizen)
        self.submit_dossier(citizen)

        self.officer_sign_in(officer)
        self.officer_open_dossier(officer, shot_queue=True)
        check(officer.title != "bi-tan-cong", "a citizen's script ran in the console")
        self.shot(officer, "08-can-bo-ho-so")
        self.act(officer, 1)                       # receive
        self.act(officer, 3)                       # start processing
        self.act(officer, 6)                       # request the fee

        self.pay(citizen)

        self.officer_open_dossier(officer, shot_queue=False)
        self.act(officer, 8, {"result_note": "Cấp Giấy khai sinh bản chính."}, {"result_document": self.args.attachment})
        self.shot(officer, "11-can-bo-da-phe-duyet")
        self.act(officer, 10)                      # return the result
        self.shot(officer, "12-can-bo-da-tra-ket-qua")

        self.result_and_inbox(citizen)

        phone = browser(self.args.shots, "phone", 390, 844)
        try:
            phone.get(f"{self.portal}/thu-tuc/{PROCEDURE}")
            overflow = phone.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
            self.seen["phone_overflows"] = overflow
            self.shot(phone, "17-dien-thoai-thu-tuc")
            phone.get(f"{self.portal}/dang-ky")
            self.shot(phone, "18-dien-thoai-dang-ky")
            check(not overflow, "the procedure page is wider than a phone")
        finally:
            phone.quit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--portal", required=True)
    parser.add_argument("--citizen-id", required=True)
    parser.add_argument("--citizen-password", required=True)
    parser.add_argument("--officer-id", required=True)
    parser.add_argument("--officer-password", required=True)
    parser.add_argument("--attachment", required=True)
    parser.add_argument("--shots", required=True)
    return Flow(parser.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
