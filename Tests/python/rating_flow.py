#!/usr/bin/env python3
"""A citizen rates a dossier that has its result, in a real browser (headless Chromium through
the system chromedriver, as browser_flow.py): signs in, opens the dossier, answers the form
"Đánh giá mức độ hài lòng" (one choice per criterion, a comment), sees the thanks and no form
any more; then the public page of satisfaction shows the rating in the agency's figures, and the
agency's officer sees the same aggregates in the console with the comment withheld (fewer than
five ratings). The rating pages pass the same checks as the index (labels, one h1, legends).

Prints one JSON object with what it saw; exits non-zero with the reason when something is wrong.
"""
import argparse
import sys

from browser_flow import Flow, check
from console_flow import ACCESSIBILITY
from selenium.webdriver.common.by import By

# Every group of choices is a fieldset with a non-empty legend.
FIELDSETS = """
const problems = [];
for (const radio of document.querySelectorAll('input[type=radio]')) {
  const set = radio.closest('fieldset');
  const legend = set && set.querySelector('legend');
  if (!legend || !legend.textContent.trim()) problems.push('radio without fieldset legend: ' + radio.name);
}
return problems;
"""

CHOICES = {"publicity": "3", "timeliness": "2", "conduct": "3", "fees": "3", "result": "1"}


class RatingFlow(Flow):
    def journey(self, citizen, officer):
        a = self.args
        self.open(citizen, "/dang-nhap")
        citizen.find_element(By.ID, "id").send_keys(a.citizen_id)
        citizen.find_element(By.ID, "password").send_keys(a.citizen_password)
        self.submit(citizen, citizen.find_element(By.CSS_SELECTOR, "form[action='/dang-nhap']"))
        self.open(citizen, f"/ho-so/{a.dossier}")
        form = citizen.find_element(By.CSS_SELECTOR, f"form[action='/ho-so/{a.dossier}/danh-gia']")
        check("Đánh giá mức độ hài lòng" in self.text(citizen), "no rating section on the dossier's page")
        problems = citizen.execute_script(ACCESSIBILITY) + citizen.execute_script(FIELDSETS)
        self.seen["form_problems"] = problems
        check(not problems, f"accessibility of the dossier's page: {problems}")
        for field, value in CHOICES.items():
            # Clicking the label chooses its radio: the label is tied to it.
            citizen.find_element(By.CSS_SELECTOR, f"label[for='danh_gia_{field}_{value}']").click()
        citizen.find_element(By.ID, "danh_gia_gop_y").send_keys("Cán bộ hướng dẫn tận tình")
        self.shot(citizen, "31-danh-gia")
        self.submit(citizen, form)
        check("Cảm ơn bạn đã đánh giá" in self.text(citizen), f"no thanks: {self.text(citizen)[:600]}")
        check(not citizen.find_elements(By.CSS_SELECTOR, "form[action$='/danh-gia']"), "the form is still offered after rating")
        self.shot(citizen, "32-cam-on")

        # The public figures: one rating for the agency, counted; its scores not shown alone.
        self.open(citizen, f"/thong-ke/hai-long?nam={a.year}&thang={a.month}")
        row = citizen.find_element(By.CSS_SELECTOR, f"tr[data-agency='{a.agency}']")
        self.seen["public_row"] = row.text
        check(row.find_element(By.CSS_SELECTOR, "td[data-ratings]").text == "1", f"public row: {row.text}")
        check(row.find_element(By.CSS_SELECTOR, "td[data-criterion='timeliness']").text == "—", f"public row: {row.text}")
        check(row.find_element(By.CSS_SELECTOR, "td[data-score]").text == "0,0%", f"the indicator ('result' rated 1): {row.text}")
        problems = citizen.execute_script(ACCESSIBILITY)
        self.seen["public_problems"] = problems
        check(not problems, f"accessibility of the public page: {problems}")
        self.shot(citizen, "33-thong-ke-hai-long")

        # The agency's officer: the same aggregates, the averages and the comment withheld among
        # fewer than five.
        self.officer_sign_in(officer)
        self.open(officer, f"/can-bo/hai-long?nam={a.year}&thang={a.month}")
        text = self.text(officer)
        self.seen["console_text"] = text[:1500]
        check(officer.find_element(By.CSS_SELECTOR, "td[data-ratings]").text == "1", f"console: {text[:800]}")
        check("Cán bộ hướng dẫn tận tình" not in text and "từ 5 lượt" in text, f"console comments: {text[:800]}")
        check(officer.find_element(By.CSS_SELECTOR, "td[data-criterion='result']").text == "—", f"console averages: {text[:800]}")
        check(a.citizen_id not in text and a.dossier not in officer.page_source, "the console names the citizen or the dossier")
        problems = officer.execute_script(ACCESSIBILITY)
        self.seen["console_problems"] = problems
        check(not problems, f"accessibility of the console page: {problems}")
        self.shot(officer, "34-can-bo-hai-long")

    def run(self):
        return self.run_journey("citizen", "officer")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--portal", required=True)
    parser.add_argument("--citizen-id", required=True)
    parser.add_argument("--citizen-password", required=True)
    parser.add_argument("--officer-id", required=True)
    parser.add_argument("--officer-password", required=True)
    parser.add_argument("--dossier", required=True)
    parser.add_argument("--agency", required=True)
    parser.add_argument("--year", required=True)
    parser.add_argument("--month", required=True)
    parser.add_argument("--shots", required=True)
    return RatingFlow(parser.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
