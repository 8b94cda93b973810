#!/usr/bin/env python3
"""The officers' console as a day's workspace in a real browser (headless Chromium through the
system chromedriver, as browser_flow.py): the tabs with their counts, a search, a sort by
clicking a column header, paging, an assignment from the list, a form date as dd/MM/yyyy, the
console's own navigation; then the public index of Decision 766/QĐ-TTg with its SVG charts,
checked for a text alternative on every chart, a label on every control, headers on every
table, and no overflow on a phone.

Prints one JSON object with what it saw; exits non-zero with the reason when something is wrong.
"""
import argparse
import re
import sys

from browser_flow import Flow, browser, check
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

# The checks every page of the index must pass, run in the page: a list of what is wrong.
ACCESSIBILITY = """
const problems = [];
if (!document.documentElement.lang) problems.push('html without lang');
for (const svg of document.querySelectorAll('svg')) {
  if (svg.getAttribute('role') !== 'img') problems.push('svg without role=img');
  const ids = (svg.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
  if (ids.length === 0) problems.push('svg without aria-labelledby');
  for (const id of ids) {
    const named = document.getElementById(id);
    if (!named || !svg.contains(named) || !named.textContent.trim()) problems.push('svg label ' + id + ' missing or empty');
  }
  if (svg.getBoundingClientRect().height < 40) problems.push('svg not drawn');
}
for (const control of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
  const labelled = (control.id && document.querySelector('label[for="' + control.id + '"]'))
    || control.getAttribute('aria-label') || control.closest('label');
  if (!labelled) problems.push('control without label: ' + (control.name || control.id));
}
for (const table of document.querySelectorAll('table')) {
  if (!table.querySelector('th')) problems.push('table without header cells');
}
for (const image of document.querySelectorAll('img')) {
  if (!image.hasAttribute('alt')) problems.push('img without alt');
}
const headings = [...document.querySelectorAll('h1')];
if (headings.length !== 1) problems.push('h1 count ' + headings.length);
return problems;
"""


class ConsoleFlow(Flow):
    def rows(self, driver):
        return [row.get_attribute("data-id") for row in driver.find_elements(By.CSS_SELECTOR, "tr[data-id]")]

    def journey(self, officer, _unused=None):
        a = self.args
        self.officer_sign_in(officer)
        self.open(officer, "/can-bo")
        header = officer.find_element(By.TAG_NAME, "header").text
        check("Bàn làm việc một cửa" in header and "Hồ sơ của tôi" not in header, f"not the console's navigation: {header}")
        tabs = officer.find_element(By.CSS_SELECTOR, "ul.tabs").text
        self.seen["tabs"] = tabs
        check(f"Tất cả ({a.total})" in tabs and "Được tiếp nhận (2)" in tabs, f"tab counts: {tabs}")
        first_page = self.rows(officer)
        check(len(first_page) == 20, f"a page holds {len(first_page)} rows")
        check(re.search(r"\d\d:\d\d, \d\d/\d\d/\d{4}", self.text(officer)), "no date written dd/MM/yyyy in the queue")
        self.shot(officer, "21-can-bo-hang-doi")

        # Paging on.
        self.follow(officer, officer.find_element(By.CSS_SELECTOR, "a[rel=next]"))
        second_page = self.rows(officer)
        check(len(second_page) == a.total - 20 and not set(first_page) & set(second_page), f"second page: {second_page}")

        # A tab.
        self.open(officer, "/can-bo")
        self.follow(officer, officer.find_element(By.CSS_SELECTOR, "a[data-state='2']"))
        check("trang_thai=2" in officer.current_url and len(self.rows(officer)) == 2, "the received tab")
        check(officer.find_element(By.CSS_SELECTOR, "a[data-state='2']").get_attribute("aria-current") == "page", "the tab is not marked current")

        # A search typed into the box, without diacritics.
        self.open(officer, "/can-bo")
        officer.find_element(By.ID, "q").send_keys(a.search)
        self.submit(officer, officer.find_element(By.CSS_SELECTOR, "form.filters"))
        found = self.rows(officer)
        check(found == [a.found], f"the search found {found}")
        check(a.found_name in self.text(officer), "the applicant's name is not in the row")
        self.shot(officer, "22-can-bo-tim-kiem")

        # Sorting by clicking the "Ngày nộp" header: newest first.
        self.open(officer, "/can-bo")
        self.follow(officer, officer.find_element(By.XPATH, "//th/a[starts-with(normalize-space(.), 'Ngày nộp')]"))
        check("sap_xep=moi-nhat" in officer.current_url and self.rows(officer)[0] == a.found, "newest first")

        # Assignment from the list of received dossiers.
        self.open(officer, "/can-bo?trang_thai=2")
        target = self.rows(officer)[0]
        row = officer.find_element(By.CSS_SELECTOR, f"tr[data-id='{target}']")
        Select(row.find_element(By.CSS_SELECTOR, "form.assign select")).select_by_value(a.assignee)
        self.submit(officer, row.find_element(By.CSS_SELECTOR, "form.assign"))
        check("da_giao=1" in officer.current_url, f"not assigned: {self.text(officer)[:600]}")
        row = officer.find_element(By.CSS_SELECTOR, f"tr[data-id='{target}']")
        check(a.assignee in row.text, f"the row does not show the assignee: {row.text}")
        self.shot(officer, "23-can-bo-phan-cong")

        # The dossier page writes the form's date as Vietnamese do.
        self.open(officer, f"/can-bo/ho-so/{target}")
        check("07/03/2019" in self.text(officer) and "2019-03-07" not in self.text(officer), "the form's date is not dd/MM/yyyy")

        # The public index with its charts.
        self.open(officer, f"/chi-so-phuc-vu?nam={a.year}")
        problems = officer.execute_script(ACCESSIBILITY)
        self.seen["index_problems"] = problems
        check(not problems, f"accessibility: {problems}")
        charts = officer.find_elements(By.CSS_SELECTOR, "figure.chart svg")
        self.seen["charts"] = len(charts)
        check(len(charts) >= 2, f"{len(charts)} charts")
        self.shot(officer, "24-chi-so-phuc-vu")
        self.open(officer, "/can-bo")
        problems = officer.execute_script(ACCESSIBILITY)
        self.seen["queue_problems"] = problems
        check(not problems, f"accessibility of the queue: {problems}")

        phone = browser(self.args.shots, "phone-index", 390, 844)
        try:
            phone.get(f"{self.portal}/chi-so-phuc-vu?nam={a.year}")
            overflow = phone.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
            self.seen["phone_overflows"] = overflow
            self.shot(phone, "25-dien-thoai-chi-so")
            check(not overflow, "the index page is wider than a phone")
        finally:
            phone.quit()

    def run(self):
        return self.run_journey("officer")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--portal", required=True)
    parser.add_argument("--officer-id", required=True)
    parser.add_argument("--officer-password", required=True)
    parser.add_argument("--total", type=int, required=True)
    parser.add_argument("--search", required=True)
    parser.add_argument("--found", required=True)
    parser.add_argument("--found-name", required=True)
    parser.add_argument("--assignee", required=True)
    parser.add_argument("--year", required=True)
    parser.add_argument("--shots", required=True)
    return ConsoleFlow(parser.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
