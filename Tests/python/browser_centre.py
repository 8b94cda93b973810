#!/usr/bin/env python3
"""Reception anywhere, in a real browser (Decree 118/2025/NĐ-CP): a receiving officer of a Public
Administration Service Centre registers, at the console's counter page, the paper birth
registration a citizen brought for a commune the centre receives for (the commune offers it
only at level 2: no online submission), confirms the scan, receives it; the commune's officer
finds it in the commune's queue, processes and approves it; the centre's officer returns the
result at the centre. Headless Chromium through the system chromedriver, as browser_flow.py.

Prints one JSON object with what it saw; exits non-zero with the reason when something is wrong.
"""
import argparse
import os
import sys

from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_flow import Flow, check  # noqa: E402

PROCEDURE = "1.001193"
BIRTH_FORM = {
    "nguoi_yeu_cau_ho_ten": "Nguyễn Văn An", "nguoi_yeu_cau_noi_cu_tru": "12 Phúc Xá, Ba Đình",
    "quan_he_voi_nguoi_duoc_khai_sinh": "Cha", "ho_ten": "Nguyễn Minh Khôi", "ngay_sinh": "2026-11-01",
    "gioi_tinh": "Nam", "dan_toc": "Kinh", "quoc_tich": "Việt Nam", "noi_sinh": "Bệnh viện Phụ sản Hà Nội",
    "que_quan": "Hà Nội",
}


class CentreFlow(Flow):
    def sign_in(self, driver, officer_id, password):
        self.open(driver, "/can-bo/dang-nhap")
        driver.find_element(By.NAME, "id").send_keys(officer_id)
        driver.find_element(By.NAME, "password").send_keys(password)
        self.submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action^='/can-bo/dang-nhap']"))

    def register(self, centre):
        a = self.args
        self.open(centre, "/can-bo/tiep-nhan")
        centre.find_element(By.ID, "thu_tuc").send_keys(PROCEDURE)
        box = centre.find_element(By.ID, "co_quan")
        box.clear()
        box.send_keys(a.commune)
        self.submit(centre, centre.find_element(By.CSS_SELECTOR, "form[action='/can-bo/tiep-nhan']"))
        check("Tiếp nhận hồ sơ giấy" in self.text(centre), f"no counter form: {self.text(centre)[:600]}")
        centre.find_element(By.ID, "so_dinh_danh").send_keys(a.citizen_id)
        self.fill(centre, dict(BIRTH_FORM, nguoi_yeu_cau_so_dinh_danh=a.citizen_id))
        # The birth certificate is the procedure's second document; the officer scanned it.
        centre.find_element(By.NAME, "tep_1").send_keys(a.attachment)
        check(centre.find_element(By.NAME, "so_hoa_1").is_selected(), "the scan confirmation is not offered")
        self.shot(centre, "01-trung-tam-tiep-nhan-ho-so-giay")
        self.submit(centre, centre.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data']"))
        text = self.text(centre)
        check("Đã đăng ký hồ sơ giấy" in text, f"the registration failed: {text[:1200]}")
        self.seen["pin"] = centre.find_element(By.ID, "tracking-pin").text
        self.shot(centre, "02-trung-tam-da-dang-ky")
        self.follow(centre, centre.find_element(By.PARTIAL_LINK_TEXT, "Mở hồ sơ"))
        self.seen["dossier_path"] = centre.current_url.split("?")[0]
        # The centre's queue lists it too.
        dossier_id = self.seen["dossier_path"].rsplit("/", 1)[-1]
        self.open(centre, "/can-bo")
        check(centre.find_elements(By.CSS_SELECTOR, f"a[href='/can-bo/ho-so/{dossier_id}']"), "not in the centre's queue")
        self.open(centre, f"/can-bo/ho-so/{dossier_id}")
        # The centre may receive it but not process it: no processing step is offered.
        check(not centre.find_elements(By.XPATH, "//form[.//input[@name='action' and @value='3']]"),
              "the centre is offered the commune's processing step")
        return dossier_id

    def journey(self, centre, commune):
        a = self.args
        self.sign_in(centre, a.centre_officer, a.centre_password)
        dossier_id = self.register(centre)
        self.act(centre, 1)                       # the centre receives it
        self.seen["received_text"] = self.text(centre)[:400]
        self.shot(centre, "03-trung-tam-da-tiep-nhan")

        self.sign_in(commune, a.commune_officer, a.commune_password)
        self.open(commune, "/can-bo")
        link = commune.find_element(By.CSS_SELECTOR, f"a[href='/can-bo/ho-so/{dossier_id}']")
        self.shot(commune, "04-phuong-hang-doi")
        self.follow(commune, link)
        self.act(commune, 3)                      # the commune processes it
        self.act(commune, 8, {"result_note": "Cấp Giấy khai sinh bản chính."})
        self.shot(commune, "05-phuong-da-phe-duyet")
        # The commune does not return it: the result goes back at the centre, as chosen.
        self.open(centre, f"/can-bo/ho-so/{dossier_id}")
        self.act(centre, 10)                      # the centre returns the result
        self.seen["final_text"] = self.text(centre)[:1500]
        check("Đã trả kết quả" in self.text(centre), "the result was not returned at the centre")
        self.shot(centre, "06-trung-tam-da-tra-ket-qua")

    def run(self):
        return self.run_journey("centre", "commune")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("portal", "commune", "citizen-id", "centre-officer", "centre-password", "commune-officer",
                 "commune-password", "attachment", "shots"):
        parser.add_argument(f"--{name}", required=True)
    return CentreFlow(parser.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
