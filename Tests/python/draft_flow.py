#!/usr/bin/env python3
"""Drafts (hồ sơ nháp) in real browsers: Debian's headless Chromium through Selenium and the
system chromedriver, as browser_flow.py.

In a first browser a citizen registers, signs in, fills part of the birth registration form,
chooses a file and presses "Lưu nháp": the form comes back saying the draft is saved, listing
the file. That browser is closed. A second browser, a separate session with a fresh profile
(no cookie shared), signs in, opens "Hồ sơ nháp" from the menu, resumes the draft (the form is
filled in, the saved file listed), completes it and presses "Nộp hồ sơ": the submission slip.
"Hồ sơ nháp" is empty afterwards.

Screenshots go to --shots. Prints one JSON object with what it saw; exits non-zero with the
reason when something is wrong.
"""
import argparse
import os
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser_flow import LEVEL_FOUR, PROCEDURE, Flow, browser, check, gone, loaded

PART_ONE = {"nguoi_yeu_cau_ho_ten": "Nguyễn Văn An", "nguoi_yeu_cau_noi_cu_tru": "12 Phúc Xá, Ba Đình",
            "ho_ten": "Nguyễn Minh Khôi"}


class DraftFlow(Flow):
    def press(self, driver, selector):
        """Clicks the button `selector` and waits for the next page."""
        page = driver.find_element(By.TAG_NAME, "html")
        button = driver.find_element(By.CSS_SELECTOR, selector)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()
        WebDriverWait(driver, 30).until(gone(page))
        WebDriverWait(driver, 30).until(loaded)

    def sign_in(self, driver):
        a = self.args
        self.open(driver, "/dang-nhap")
        driver.find_element(By.ID, "id").send_keys(a.citizen_id)
        driver.find_element(By.ID, "password").send_keys(a.citizen_password)
        self.submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/dang-nhap']"))
        check(driver.current_url.endswith("/ho-so-cua-toi"), f"sign-in ended at {driver.current_url}")

    def save_draft(self, first):
        self.register_and_sign_in(first)
        self.open(first, f"/nop-ho-so/{PROCEDURE}?co_quan={LEVEL_FOUR}")
        check(first.find_element(By.TAG_NAME, "h1").text == "Nộp hồ sơ trực tuyến", f"not the form: {first.current_url}")
        self.fill(first, PART_ONE)
        first.find_element(By.NAME, "tep_1").send_keys(self.args.attachment)
        self.shot(first, "01-dien-mot-phan")
        # Required fields are still empty: "Lưu nháp" saves anyway (formnovalidate).
        self.press(first, "button[value=luu_nhap]")
        notice = first.find_element(By.ID, "draft-notice").text
        check("Đã lưu hồ sơ nháp" in notice, f"no saved notice: {self.text(first)[:800]}")
        saved = [e.text for e in first.find_elements(By.CSS_SELECTOR, "#saved-files .saved-file")]
        check(saved == [os.path.basename(self.args.attachment)], f"the saved files listed are {saved}")
        check(first.find_element(By.NAME, "ho_ten").get_attribute("value") == "Nguyễn Minh Khôi", "a saved value is not shown")
        self.seen["saved_notice"] = notice
        self.seen["saved_files_first"] = saved
        self.shot(first, "02-da-luu-nhap")
        self.open(first, "/ho-so-nhap")
        rows = first.find_elements(By.CSS_SELECTOR, "table tbody tr")
        check(len(rows) == 1 and "Tự động xóa vào" in self.text(first), f"the drafts page shows {len(rows)} rows")
        self.shot(first, "03-ho-so-nhap")

    def resume_and_submit(self, second):
        check(not second.get_cookies(), "the second browser started with cookies")
        self.sign_in(second)
        self.follow(second, second.find_element(By.CSS_SELECTOR, "header nav a[href='/ho-so-nhap']"))
        check(second.find_element(By.TAG_NAME, "h1").text == "Hồ sơ nháp", "the menu did not lead to the drafts page")
        self.follow(second, second.find_element(By.LINK_TEXT, "Tiếp tục"))
        for name, value in PART_ONE.items():
            shown = second.find_element(By.NAME, name).get_attribute("value")
            check(shown == value, f"{name} resumed as {shown!r}, saved as {value!r}")
        saved = [e.text for e in second.find_elements(By.CSS_SELECTOR, "#saved-files .saved-file")]
        check(saved == [os.path.basename(self.args.attachment)], f"the resumed draft lists {saved}")
        self.seen["saved_files_second"] = saved
        self.shot(second, "04-tiep-tuc-tren-may-khac")
        self.fill(second, {
            "nguoi_yeu_cau_so_dinh_danh": self.args.citizen_id, "quan_he_voi_nguoi_duoc_khai_sinh": "Cha",
            "ngay_sinh": "2026-08-01", "gioi_tinh": "Nam", "dan_toc": "Kinh", "quoc_tich": "Việt Nam",
            "noi_sinh": "Bệnh viện Phụ sản Hà Nội", "que_quan": "Hà Nội",
        })
        # No new file: the draft's saved file goes with the dossier.
        self.press(second, "button[value=nop]")
        check(second.find_element(By.TAG_NAME, "h1").text == "Đã nộp hồ sơ", f"no slip: {self.text(second)[:1200]}")
        self.seen["pin"] = second.find_element(By.ID, "tracking-pin").text
        self.seen["dossier_path"] = second.find_element(By.LINK_TEXT, "Xem hồ sơ").get_attribute("href")[len(self.portal):]
        self.shot(second, "05-da-nop")
        self.open(second, "/ho-so-nhap")
        check("Bạn chưa có hồ sơ nháp nào" in self.text(second), "the submitted draft is still listed")
        self.shot(second, "06-het-ho-so-nhap")

    def run(self):
        """The two browsers one after the other: the first is gone before the second starts."""
        drivers = {}

        def body():
            drivers["first"] = browser(self.args.shots, "first")
            self.save_draft(drivers["first"])
            drivers.pop("first").quit()
            drivers["second"] = browser(self.args.shots, "second")
            self.resume_and_submit(drivers["second"])
        return self.reporting(drivers, body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--portal", required=True)
    parser.add_argument("--citizen-id", required=True)
    parser.add_argument("--citizen-password", required=True)
    parser.add_argument("--attachment", required=True)
    parser.add_argument("--shots", required=True)
    return DraftFlow(parser.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
