#!/usr/bin/env python3
"""Sign-in with the national electronic identity against a real OpenID Connect provider
(django-oauth-toolkit from oidc_provider/, started by the Swift test) and the real gateway.

In headless Chromium: a citizen chooses "Đăng nhập bằng VNeID" on the portal, signs in on the
provider's own page, comes back signed in, submits a dossier, signs out — of the portal and, through
the provider's end_session_endpoint, of the provider too.

Without a browser (requests, with the portal's cookies carried by hand so each request holds
exactly what the test means): a replayed callback, a used code under a fresh state, a state from
another browser, a made-up state, the provider's error answer, an ID number claim that is not a
valid number — each refused with its Vietnamese message and no session cookie; a first sign-in
whose number has a password account links it; a signed-in citizen links an account once and only
to an identity with the account's number; the provider rotates its signing key and sign-in goes
on working.

Prints one JSON object with what it saw; exits non-zero with the reason when something is wrong.
"""
import argparse
import json
import os
import re
import sys
import time
import traceback
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser_flow import Failure, Flow, browser, check

PROCEDURE = "1.001193"
LEVEL_FOUR = "000.01.20.H26"
SESSION = "__Host-dvc_session"
BINDING = "__Host-dvc_vneid"


class Agent:
    """One browser without a browser: the provider's cookies in a requests session, the portal's
    kept by hand (the portal's cookies are Secure and `__Host-`, which a cookie jar will not send
    over plain http on loopback)."""

    def __init__(self, portal, provider):
        self.portal = portal
        self.provider = provider
        self.web = requests.Session()
        self.cookies = {}

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def request(self, method, url, data=None):
        if url.startswith(self.portal) or url.startswith("/"):
            url = url if url.startswith("http") else self.portal + url
            headers = {"Origin": self.portal}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            answer = requests.request(method, url, headers=headers, data=data, allow_redirects=False, timeout=20)
            for raw in answer.raw.headers.getlist("Set-Cookie"):
                name, _, rest = raw.partition("=")
                value = rest.split(";", 1)[0]
                if value and "Max-Age=0" not in raw:
                    self.cookies[name] = value
                else:
                    self.cookies.pop(name, None)
            answer.set_cookies = answer.raw.headers.getlist("Set-Cookie")
            return answer
        return self.web.request(method, url, data=data, allow_redirects=False, timeout=20)

    def start(self, path="/dang-nhap/vneid"):
        """The portal's way out to the provider: the authorization URL."""
        answer = self.get(path)
        check(answer.status_code == 303, f"{path} answered {answer.status_code}: {answer.text[:300]}")
        location = answer.headers["Location"]
        check(location.startswith(self.provider), f"{path} sent the browser to {location}")
        check(BINDING in self.cookies, f"{path} set no {BINDING} cookie: {answer.set_cookies}")
        query = parse_qs(urlsplit(location).query)
        for name in ("state", "nonce", "code_challenge"):
            check(query.get(name, [""])[0], f"the authorization request has no {name}: {location}")
        check(query["code_challenge_method"] == ["S256"], "PKCE is not S256")
        return location

    def at_provider(self, authorize, username, password):
        """Through the provider (signing in on its login page if needed) to the portal's callback URL."""
        answer = self.get(authorize)
        if answer.status_code == 302 and "/accounts/login/" in answer.headers["Location"]:
            login = self.provider + answer.headers["Location"] if answer.headers["Location"].startswith("/") else answer.headers["Location"]
            page = self.get(login)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            nxt = re.search(r'name="next" value="([^"]*)"', page.text).group(1).replace("&amp;", "&")
            posted = self.web.post(login, data={"csrfmiddlewaretoken": token, "username": username, "password": password,
                                                "next": nxt}, headers={"Referer": login}, allow_redirects=False, timeout=20)
            check(posted.status_code == 302, f"the provider's login refused {username}: {posted.status_code}")
            answer = self.get(authorize)
        check(answer.status_code == 302, f"the provider's authorize answered {answer.status_code}: {answer.text[:300]}")
        callback = answer.headers["Location"]
        check(callback.startswith(self.portal + "/dang-nhap/vneid/ve?"), f"the provider sent the browser to {callback}")
        return callback

    def sign_in(self, username, password, path="/dang-nhap/vneid"):
        callback = self.at_provider(self.start(path), username, password)
        return callback, self.get(callback)


def refused(answer, needle, what):
    check(answer.status_code in (400, 403), f"{what}: answered {answer.status_code}")
    check(needle in answer.text, f"{what}: the page does not say {needle!r}:\n{answer.text[:800]}")
    check(not any(c.startswith(SESSION + "=") and "Max-Age=0" not in c for c in answer.set_cookies),
          f"{what}: a session cookie was set: {answer.set_cookies}")


def with_params(url, **changes):
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"


class NationalIdentityFlow(Flow):
    def browser_journey(self, driver):
        a = self.args
        # An answer the portal never asked for: refused, said in Vietnamese, no session.
        self.open(driver, "/dang-nhap/vneid/ve?code=gia-mao&state=khong-co-that")
        check("Chưa đăng nhập được bằng VNeID" in self.text(driver), f"a forged answer was not refused: {self.text(driver)[:400]}")
        check(not any(c["name"] == SESSION for c in driver.get_cookies()), "a forged answer left a session cookie")
        self.shot(driver, "00-tu-choi-cau-tra-loi-gia-mao")
        self.open(driver, "/dang-nhap")
        self.shot(driver, "01-dang-nhap")
        self.follow(driver, driver.find_element(By.ID, "dang-nhap-vneid"))
        check(driver.current_url.startswith(a.provider), f"VNeID did not lead to the provider: {driver.current_url}")
        self.shot(driver, "02-trang-dang-nhap-cua-nha-cung-cap")
        driver.find_element(By.ID, "id_username").send_keys(a.citizen_id)
        driver.find_element(By.ID, "id_password").send_keys(a.citizen_password)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(driver, 30).until(lambda d: d.current_url.startswith(self.portal + "/ho-so-cua-toi"))
        check(f"Công dân: {a.citizen_id}" in self.text(driver), f"not signed in as {a.citizen_id}: {self.text(driver)[:500]}")
        self.shot(driver, "03-da-dang-nhap")
        self.seen["signed_in_as"] = a.citizen_id

        self.open(driver, f"/nop-ho-so/{PROCEDURE}?co_quan={LEVEL_FOUR}")
        check(driver.find_element(By.TAG_NAME, "h1").text == "Nộp hồ sơ trực tuyến", f"not the form: {driver.current_url}")
        self.fill(driver, {
            "nguoi_yeu_cau_ho_ten": "Nguyễn Văn An", "nguoi_yeu_cau_so_dinh_danh": a.citizen_id,
            "nguoi_yeu_cau_noi_cu_tru": "12 Phúc Xá, Ba Đình", "quan_he_voi_nguoi_duoc_khai_sinh": "Cha",
            "ho_ten": "Nguyễn Minh Khôi", "ngay_sinh": "2026-08-01", "gioi_tinh": "Nam", "dan_toc": "Kinh",
            "quoc_tich": "Việt Nam", "noi_sinh": "Bệnh viện Phụ sản Hà Nội", "que_quan": "Hà Nội",
        })
        driver.find_element(By.NAME, "tep_1").send_keys(a.attachment)
        self.submit(driver, driver.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data']"))
        check(driver.find_element(By.TAG_NAME, "h1").text == "Đã nộp hồ sơ", f"no slip: {self.text(driver)[:800]}")
        self.seen["dossier_path"] = driver.find_element(By.LINK_TEXT, "Xem hồ sơ").get_attribute("href")[len(self.portal):]
        self.shot(driver, "04-da-nop-ho-so")

        self.open(driver, "/ho-so-cua-toi")
        driver.find_element(By.CSS_SELECTOR, "form[action='/dang-xuat'] button").click()
        # Out of the portal, then of the provider (its end_session_endpoint), then back home.
        WebDriverWait(driver, 30).until(lambda d: d.current_url.rstrip("/") == self.portal)
        self.open(driver, "/ho-so-cua-toi")
        check("/dang-nhap" in driver.current_url, f"still signed in to the portal: {driver.current_url}")
        self.follow(driver, driver.find_element(By.ID, "dang-nhap-vneid"))
        check(driver.find_elements(By.ID, "id_username"), f"the provider still had a session: {driver.current_url}")
        self.seen["signed_out_of_provider"] = True

    def refusals(self):
        a = self.args
        first = Agent(self.portal, a.provider)
        callback, answer = first.sign_in(a.citizen_id, a.citizen_password)
        check(answer.status_code == 200 and SESSION in first.cookies, f"sign-in without a browser failed: {answer.status_code}")
        check(answer.headers.get("Refresh", "").endswith("/ho-so-cua-toi"), f"no move on: {answer.headers}")
        mine = first.get("/ho-so-cua-toi")
        check(mine.status_code == 200 and f"Công dân: {a.citizen_id}" in mine.text, "the new session does not work")

        # The same answer from the provider again: the state was used.
        replay = first.get(callback)
        refused(replay, "đã hết hạn hoặc đã được dùng", "a replayed callback")
        self.seen["replayed_callback"] = replay.status_code

        # A used code under a fresh, valid state: the provider refuses it.
        used_code = parse_qs(urlsplit(callback).query)["code"][0]
        fresh = first.at_provider(first.start(), a.citizen_id, a.citizen_password)
        reused = first.get(with_params(fresh, code=used_code))
        refused(reused, "không chấp nhận mã xác thực", "a replayed code")
        self.seen["replayed_code"] = reused.status_code

        # Another browser's state (no binding cookie of its own, then someone else's).
        theirs = first.at_provider(first.start(), a.citizen_id, a.citizen_password)
        other = Agent(self.portal, a.provider)
        other.start()
        refused(other.get(theirs), "đã hết hạn hoặc đã được dùng", "another browser's state")
        refused(first.get(theirs), "đã hết hạn hoặc đã được dùng", "a state already tried")
        self.seen["other_browser_state"] = True

        # A made-up state; the provider's error answer.
        first.start()
        refused(first.get("/dang-nhap/vneid/ve?code=abc&state=khong-co-that"), "đã hết hạn hoặc đã được dùng", "a made-up state")
        location = first.start()
        state = parse_qs(urlsplit(location).query)["state"][0]
        refused(first.get(f"/dang-nhap/vneid/ve?error=access_denied&state={state}"), "chưa hoàn tất", "the provider's error")

        # An identity whose number claim is no valid number.
        bad = Agent(self.portal, a.provider)
        _, answer = bad.sign_in(a.bad_user, a.bad_password)
        refused(answer, "không có số định danh cá nhân hợp lệ", "an invalid number claim")
        self.seen["invalid_number_claim"] = answer.status_code

    def linking(self):
        a = self.args
        # A first sign-in whose number already has a password account links it.
        local = Agent(self.portal, a.provider)
        registered = local.request("POST", "/dang-ky", data={"id": a.linked_id, "full_name": "Lê Thị Cúc", "password": a.local_password})
        check(registered.status_code == 303, f"registration: {registered.status_code}")
        _, answer = local.sign_in(a.linked_id, a.linked_password)
        check(answer.status_code == 200 and "đã được liên kết" in answer.text, f"first sign-in did not link: {answer.text[:600]}")
        account = local.get("/tai-khoan")
        check("Tài khoản đã liên kết với VNeID" in account.text, "the account page does not show the link")
        self.seen["first_sign_in_linked"] = True

        # A signed-in citizen links their own account: not to another number's identity, once only.
        owner = Agent(self.portal, a.provider)
        registered = owner.request("POST", "/dang-ky", data={"id": a.owner_id, "full_name": "Phạm Văn Dũng", "password": a.local_password})
        check(registered.status_code == 303, f"registration: {registered.status_code}")
        signed = owner.request("POST", "/dang-nhap", data={"id": a.owner_id, "password": a.local_password})
        check(signed.status_code == 303 and SESSION in owner.cookies, f"password sign-in: {signed.status_code}")
        check('id="lien-ket-vneid"' in owner.get("/tai-khoan").text, "the account page offers no link")
        _, answer = owner.sign_in(a.citizen_id, a.citizen_password, path="/tai-khoan/lien-ket-vneid")
        refused(answer, "số định danh khác", "linking to another number's identity")
        owner.web = requests.Session()  # out of the provider, to sign in there as the owner
        owner.cookies.pop(BINDING, None)
        signed = owner.request("POST", "/dang-nhap", data={"id": a.owner_id, "password": a.local_password})
        _, answer = owner.sign_in(a.owner_id, a.owner_password, path="/tai-khoan/lien-ket-vneid")
        check(answer.status_code == 200 and "Đã liên kết tài khoản với VNeID" in answer.text, f"linking failed: {answer.text[:600]}")
        _, again = owner.sign_in(a.owner_id, a.owner_password, path="/tai-khoan/lien-ket-vneid")
        refused(again, "đã được liên kết với VNeID từ trước", "linking twice")
        self.seen["linking"] = True

    def rotation(self):
        a = self.args
        control = a.provider + "/kiem-thu/khoa"
        before = requests.post(control, data={"action": "show"}, timeout=10).json()
        rotated = requests.post(control, data={"action": "rotate"}, timeout=10).json()
        check(rotated["active"] != before["active"], f"the key did not change: {rotated}")
        agent = Agent(self.portal, a.provider)
        _, answer = agent.sign_in(a.citizen_id, a.citizen_password)
        check(answer.status_code == 200, f"sign-in after the key rotation failed: {answer.text[:600]}")
        requests.post(control, data={"action": "withdraw-inactive"}, timeout=10)
        agent = Agent(self.portal, a.provider)
        _, answer = agent.sign_in(a.citizen_id, a.citizen_password)
        check(answer.status_code == 200, f"sign-in after the old key was withdrawn failed: {answer.text[:600]}")
        self.seen["rotated_keys"] = [before["active"], rotated["active"]]


def main():
    parser = argparse.ArgumentParser()
    for name in ("portal", "provider", "shots", "attachment", "citizen-id", "citizen-password", "bad-user", "bad-password",
                 "linked-id", "linked-password", "owner-id", "owner-password", "local-password"):
        parser.add_argument("--" + name, required=True)
    args = parser.parse_args()
    flow = NationalIdentityFlow(args)
    flow.args.provider = args.provider.rstrip("/")
    started = time.time()
    driver = None
    try:
        driver = browser(args.shots, "vneid")
        flow.browser_journey(driver)
        flow.refusals()
        flow.linking()
        flow.rotation()
    except Failure as failure:
        flow.seen["failure"] = str(failure)
    except Exception:
        flow.seen["failure"] = traceback.format_exc()
    finally:
        if driver is not None:
            driver.quit()
    flow.seen["seconds"] = round(time.time() - started, 1)
    print(json.dumps(flow.seen, ensure_ascii=False))
    return 1 if "failure" in flow.seen else 0


if __name__ == "__main__":
    sys.exit(main())
