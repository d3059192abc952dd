#!/usr/bin/env python3
"""Black-box check of the admin console of the real `cipherscale` binary in headless Chromium.

Starts the server on the database named by DATABASE_URL (a fresh SQLite file when unset), signs in
from the link in the mail, and drives every page the way an administrator would: invites users,
edits a user, creates and deletes a group, creates and revokes an API key, and checks what the
console must refuse (escaping, read-only sessions, posts without a CSRF token, sign-in links for
users who may not use the console, sessions after sign-out). Every change is verified through the
REST API. Prints 'N passed, N failed' and exits non-zero on any failure.

Needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver) and the
Python package selenium; scripts/test.sh installs them. With CONSOLE_SCREENSHOTS=folder, saves
console-users.png and console-user.png there (for the documentation).

Usage: scripts/console_browser.py path/to/cipherscale
"""
import atexit
import email
import email.policy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

# Selenium Manager must never download a driver or a browser, nor report usage.
os.environ["SE_OFFLINE"] = "true"
os.environ["SE_AVOID_STATS"] = "true"
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    NoSuchElementException, StaleElementReferenceException, TimeoutException, UnexpectedAlertPresentException, WebDriverException)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live import Checks, free_port  # noqa: E402
from live import call as call_on  # noqa: E402

STARTED = time.time()
DEADLINE_SECONDS = 75  # the whole run; a watchdog ends it beyond that (cleanup adds at most ~10 s)
WAIT = 10  # seconds for any one page, element or mail

binary = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp(prefix="cipherscale-console-")
# Every temporary folder this script makes lives under `work`, removed when the script ends.
atexit.register(shutil.rmtree, work, True)
mail_dir = os.path.join(work, "mail")
screenshots = os.environ.get("CONSOLE_SCREENSHOTS")
screenshots = os.path.abspath(screenshots) if screenshots else None
env = dict(os.environ)
env.setdefault("DATABASE_URL", "sqlite://" + os.path.join(work, "console.sqlite"))
env.pop("SMTP_URL", None)  # mail must become files in MAIL_DIR
check = Checks()

port = free_port()
base = f"http://127.0.0.1:{port}"
env.update({"LOG_LEVEL": "warning", "MAIL_DIR": mail_dir, "PUBLIC_BASE_URL": base,
            "CONSOLE_SIGNIN_RATE_LIMIT": "0", "MAIL_POLL_MS": "100"})


def call(method, path, key=None, body=None, headers=None):
    """The REST API: JSON in and out, the key in the `apikey` header."""
    return call_on(port, method, path, key, body, headers, timeout=15)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_plain = urllib.request.build_opener(_NoRedirect)


def page(method, path, session=None, form=None):
    """A console page outside the browser, redirects not followed: (status, headers, text). `session`
    is the value of the cs_session cookie; `form` a dict sent as application/x-www-form-urlencoded."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(path if path.startswith("http") else base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Origin", base)  # a same-origin browser would send it: only the tested defence may refuse
    if session:
        request.add_header("Cookie", f"cs_session={session}")
    try:
        with _plain.open(request, timeout=15) as response:
            return response.status, response.headers, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")


# ---------------------------------------------------------------------------------------------
# Mail: each message is an .eml file in MAIL_DIR (multipart/alternative; the text/plain part).

def mail_files():
    if not os.path.isdir(mail_dir):
        return set()
    return {name for name in os.listdir(mail_dir) if name.endswith(".eml") and not name.startswith(".")}


def read_mail(name):
    """(recipient, plain text) of one .eml file."""
    with open(os.path.join(mail_dir, name), "rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return str(message["To"] or ""), text


def mail_to(recipient, names):
    """The files among `names` addressed to `recipient`, oldest first."""
    found = []
    for name in names:
        try:
            to, text = read_mail(name)
        except OSError:
            continue  # replaced while reading
        if recipient.lower() in to.lower():
            found.append((os.path.getmtime(os.path.join(mail_dir, name)), name, text))
    return [(name, text) for _, name, text in sorted(found)]


def wait_mail(recipient, before, pattern, timeout=WAIT):
    """Waits for a new message to `recipient` (a file not in `before`) whose text matches `pattern`;
    returns the match or None."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for _, text in mail_to(recipient, mail_files() - before):
            found = re.search(pattern, text)
            if found:
                return found
        time.sleep(0.1)
    return None


SIGNIN_LINK = r"http://127\.0\.0\.1:\d+/console/signin\?token=[^\s\"<>]+"
INVITATION_LINK = r"/invitations/([^/\s\"<>]+)/accept"

# ---------------------------------------------------------------------------------------------
# The server.

server_output = []


def pump(stream):
    for line in stream:
        server_output.append(line)


class Watchdog(BaseException):
    """Raised by the alarm when the run takes too long; not an Exception, so no step swallows it."""


def on_alarm(signum, frame):
    raise Watchdog(f"the run took longer than {DEADLINE_SECONDS} s")


signal.signal(signal.SIGALRM, on_alarm)
signal.alarm(DEADLINE_SECONDS)

server = subprocess.Popen([binary, "serve", "--port", str(port)], env=env, cwd=work,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
threading.Thread(target=pump, args=(server.stdout,), daemon=True).start()
driver = None
service = None


def stop_everything():
    """Quits the browser and stops the server, whatever state they are in."""
    global driver
    signal.alarm(5)  # quitting the browser is bounded too: the watchdog interrupts a hung driver
    try:
        if driver is not None:
            driver.quit()
    except BaseException as error:  # noqa: BLE001 - keep cleaning up
        print(f"(stopping the browser: {error!r})")
    signal.alarm(0)
    driver = None
    if service is not None and service.process is not None:
        # chromedriver runs in its own session: whatever is left of it (and its browser) goes with the group.
        try:
            os.killpg(service.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def wait_healthy():
    """Waits (up to 30 s) until the server answers /health; False if it does not (or exits)."""
    deadline = time.time() + 30
    while time.time() < deadline and server.poll() is None:
        try:
            if call("GET", "/health")[0] == 200:
                return True
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.1)
    return False


# ---------------------------------------------------------------------------------------------
# The browser.

def start_browser():
    global driver, service
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    # A dialog is never dismissed behind the test's back: an unexpected alert stays visible to it.
    options.unhandled_prompt_behavior = "ignore"
    service = Service("/usr/bin/chromedriver", popen_kw={"start_new_session": True})
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(15)
    driver.set_script_timeout(10)


def path_of(url):
    return urllib.parse.urlparse(url).path


def go(path):
    driver.get(base + path)


def h1():
    found = driver.find_elements(By.TAG_NAME, "h1")
    return found[0].text.strip() if found else None


def by_id(element_id, scope=None):
    return (scope or driver).find_element(By.ID, element_id)


def button(text, scope=None):
    """The button (or submit input) labelled exactly `text` in `scope`."""
    assert "'" not in text
    return (scope or driver).find_element(
        By.XPATH, f".//button[normalize-space()='{text}'] | .//input[(@type='submit' or @type='button') and @value='{text}']")


def buttons(text, scope=None):
    return (scope or driver).find_elements(
        By.XPATH, f".//button[normalize-space()='{text}'] | .//input[(@type='submit' or @type='button') and @value='{text}']")


def loaded():
    WebDriverWait(driver, WAIT).until(lambda d: d.execute_script("return document.readyState") == "complete")


def submit(element, confirm=False):
    """Clicks `element` (accepting the JS confirm dialog first when `confirm`) and waits for the page
    it leads to. `element` may be a function finding it: then a click that lands while the previous
    page is still being replaced is retried once on the new page."""
    old = driver.find_element(By.TAG_NAME, "html")
    if callable(element):
        try:
            element().click()
        except WebDriverException:
            # The page was still being replaced: wait for it to settle, then find and click again.
            time.sleep(0.3)
            loaded()
            old = driver.find_element(By.TAG_NAME, "html")
            element().click()
    else:
        element.click()
    if confirm:
        WebDriverWait(driver, WAIT).until(EC.alert_is_present())
        driver.switch_to.alert.accept()
    WebDriverWait(driver, WAIT).until(replaced(old))
    loaded()


def replaced(old):
    """A wait condition: `old` no longer belongs to the page. Chromium reports a node of a document
    that was just replaced either as stale or as "does not belong to the document"; both mean gone."""
    def check(_):
        try:
            old.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
    return check


def fill(element_id, text):
    field = by_id(element_id)
    field.clear()
    field.send_keys(text)


def tick(element, on=True):
    if element.is_selected() != on:
        element.click()


def session_cookie():
    cookie = driver.get_cookie("cs_session")
    return cookie["value"] if cookie else None


def alert_opens(seconds=1.0):
    """Whether a JS dialog opens within `seconds` (accepting it so the run can go on)."""
    try:
        WebDriverWait(driver, seconds).until(EC.alert_is_present())
    except TimeoutException:
        return False
    driver.switch_to.alert.accept()
    return True


def post_forms():
    return driver.find_elements(By.CSS_SELECTOR, 'form[method="post" i]')


def csrf_value():
    """The CSRF token of the page, read from the Sign out form."""
    for form in post_forms():
        if path_of(form.get_attribute("action") or "") == "/console/logout":
            return form.find_element(By.CSS_SELECTOR, 'input[name="csrf"]').get_attribute("value")
    return None


def user_rows():
    return driver.find_elements(By.CSS_SELECTOR, "table#users tbody tr")


def total_shown():
    found = re.match(r"\s*(\d+)", by_id("total").text)
    return int(found.group(1)) if found else None


def role_checkbox(role_type, scope=None):
    """The checkbox of a role: `#role-TYPE`, else `name=roles` valued with the type or the role's id."""
    scope = scope or driver
    for selector in (f"#role-{role_type}", f'input[name="roles"][value="{role_type}"]',
                     f'input[name="roles"][value="{role_ids[role_type]}"]'):
        found = scope.find_elements(By.CSS_SELECTOR, selector)
        if found:
            return found[0]
    raise NoSuchElementException(f"no checkbox for role {role_type}")


def request_signin(address):
    """Asks for a sign-in link through the login form; returns the h1 of the answer."""
    go("/console/login")
    fill("email", address)
    submit(lambda: button("Send sign-in link"))
    return h1()


def sign_in(address):
    """Requests a link for `address`, opens it from the mail; returns the link (or None)."""
    before = mail_files()
    request_signin(address)
    link = wait_mail(address, before, SIGNIN_LINK)
    if link is None:
        return None
    driver.get(link.group(0))
    WebDriverWait(driver, WAIT).until(lambda d: path_of(d.current_url) == "/console/users")
    loaded()
    return link.group(0)


def user(user_id):
    return call("GET", f"/tenants/users/{user_id}", key)[2]


def user_by_email(address):
    found = call("GET", "/tenants/users?" + urllib.parse.urlencode({"filter[email]": address}), key)[2]
    return found["data"][0] if found and found.get("data") else None


def describe():
    """Where the browser is, for a failure message."""
    try:
        return f"at {driver.current_url} (h1 {h1()!r})"
    except BaseException:  # noqa: BLE001
        return ""


def step(name, function):
    """Runs one section; an unexpected error fails it (with where the browser was) and the run goes on."""
    try:
        function()
    except Watchdog:
        raise
    except Exception as error:  # noqa: BLE001
        check(f"{name}: runs to the end", False, f"{failure(error)} {describe()}")


def failure(error):
    """One line for an unexpected error: its type, first line of message (Selenium's carry Chrome's
    stack after it), and where in this script it happened."""
    message = (getattr(error, "msg", None) or str(error)).strip().splitlines()
    where = " > ".join(f"{frame.name}:{frame.lineno}" for frame in traceback.extract_tb(error.__traceback__)
                       if os.path.abspath(frame.filename) == os.path.abspath(__file__))
    return f"{type(error).__name__}: {message[0][:300] if message else ''} (at {where})"


# ---------------------------------------------------------------------------------------------
# The sections. State shared between them lives in these globals.

key = None  # the owner's admin API key
owner_email = None
owner_id = None
role_ids = {}  # role type -> id
default_group = None
tag = ""  # "" on a fresh database; otherwise a suffix that keeps this run's names unique
domain = "northwind.example"
alice = bob = carol = dave = None  # {"email", "id"}
team = None  # a group made through the REST API: {"id", "name"}
owner_session = None


def section_sign_in():
    global owner_session
    before = mail_files()
    answer = request_signin(owner_email)
    check("the login form answers 'Check your email'", answer == "Check your email", describe())
    link = wait_mail(owner_email, before, SIGNIN_LINK)
    check("the owner gets a mail with a sign-in link", link is not None, str(sorted(mail_files() - before)))
    if link is None:
        raise RuntimeError("no sign-in mail for the owner")
    link = link.group(0)
    check("the link points at PUBLIC_BASE_URL", link.startswith(base + "/console/signin?token="), link)
    driver.get(link)
    WebDriverWait(driver, WAIT).until(lambda d: path_of(d.current_url) == "/console/users")
    loaded()
    check("opening the link lands on /console/users", h1() == "Users", describe())
    cookie = driver.get_cookie("cs_session")
    check("the session cookie cs_session is HttpOnly and SameSite=Lax",
          cookie is not None and cookie.get("httpOnly") is True and cookie.get("sameSite") == "Lax", str(cookie))
    owner_session = cookie["value"] if cookie else None
    check("the signed-in email is shown", by_id("whoami").text.strip() == owner_email, by_id("whoami").text)
    driver.get(link)
    loaded()
    check("a second use of the link is refused in the browser", h1() == "This sign-in link cannot be used", describe())
    status, _, _ = page("GET", link)
    check("a used link answers 410", status == 410, f"status {status}")
    go("/console/users")
    check("the session survives a refused link", path_of(driver.current_url) == "/console/users" and h1() == "Users", describe())


NAV = {"Users": "/console/users", "Groups": "/console/groups", "Roles": "/console/roles", "Devices": "/console/devices",
       "Audit log": "/console/audit", "API keys": "/console/keys"}


def security_headers(path, headers):
    csp = headers.get("Content-Security-Policy") or ""
    directives = {part.strip().split(" ")[0]: part.strip() for part in csp.split(";") if part.strip()}
    scripts = directives.get("script-src", directives.get("default-src", ""))
    check(f"{path}: Content-Security-Policy has frame-ancestors 'none' and no 'unsafe-inline' scripts",
          "frame-ancestors 'none'" in csp and scripts != "" and "'unsafe-inline'" not in scripts, repr(csp))
    check(f"{path}: X-Content-Type-Options nosniff, Referrer-Policy same-origin, Cache-Control no-store",
          headers.get("X-Content-Type-Options") == "nosniff" and headers.get("Referrer-Policy") == "same-origin"
          and "no-store" in (headers.get("Cache-Control") or ""),
          str({name: headers.get(name) for name in ("X-Content-Type-Options", "Referrer-Policy", "Cache-Control")}))


def section_pages():
    status, headers, _ = page("GET", "/console/login")
    check("the login page answers 200", status == 200, f"status {status}")
    security_headers("/console/login", headers)
    pages = [("/console/users", (By.CSS_SELECTOR, "table#users")),
             (f"/console/users/{owner_id}", (By.ID, "user-groups")),
             ("/console/users/new", (By.CSS_SELECTOR, "textarea#emails")),
             ("/console/groups", (By.CSS_SELECTOR, "table#groups")),
             (f"/console/groups/{default_group['id']}", (By.CSS_SELECTOR, "table#members")),
             ("/console/groups/new", (By.ID, "name")),
             ("/console/roles", (By.CSS_SELECTOR, "table#roles")),
             ("/console/devices", (By.CSS_SELECTOR, "table#devices")),
             ("/console/audit", (By.CSS_SELECTOR, "table#audit")),
             ("/console/keys", (By.CSS_SELECTOR, "table#keys"))]
    for path, marker in pages:
        go(path)
        loaded()
        check(f"{path} loads", path_of(driver.current_url) == path and driver.find_elements(*marker), describe())
        links = {a.text.strip(): path_of(a.get_attribute("href") or "") for a in driver.find_elements(By.CSS_SELECTOR, "nav a")}
        check(f"{path}: the nav links every page", all(links.get(text) == href for text, href in NAV.items()), str(links))
        whoami = driver.find_elements(By.ID, "whoami")
        check(f"{path}: the nav shows the signed-in email and Sign out",
              whoami and whoami[0].text.strip() == owner_email and buttons("Sign out"), describe())
        forms = post_forms()
        check(f"{path}: every POST form carries a csrf token",
              forms and all(f.find_elements(By.CSS_SELECTOR, 'input[type="hidden"][name="csrf"]')
                            and f.find_element(By.CSS_SELECTOR, 'input[name="csrf"]').get_attribute("value") for f in forms),
              f"{len(forms)} post forms")
        status, headers, _ = page("GET", path, owner_session)
        check(f"{path} answers 200 to the session cookie", status == 200, f"status {status}")
        security_headers(path, headers)
    go(f"/console/users/{owner_id}")
    check("the user page's h1 is the email", h1() == owner_email, describe())


def section_invite():
    global alice, bob, carol
    emails = [f"alice@{domain}", f"bob@{domain}", f"carol@{domain}"]
    total_before = call("GET", "/tenants/users?limit=1", key)[2]["total"]
    go("/console/users")
    invite_link = driver.find_element(By.LINK_TEXT, "Invite users")
    check("the users page links 'Invite users' to /console/users/new",
          path_of(invite_link.get_attribute("href")) == "/console/users/new")
    submit(lambda: driver.find_element(By.LINK_TEXT, "Invite users"))
    by_id("emails").send_keys("\n".join([emails[0], "not-an-email", emails[1], emails[2]]))
    submit(lambda: button("Invite"))
    errors = [li.text.strip() for li in driver.find_elements(By.CSS_SELECTOR, "ul#line-errors li")]
    check("a bad line is reported by number with its text", len(errors) == 1 and errors[0].startswith("Line 2: not-an-email: ")
          and len(errors[0]) > len("Line 2: not-an-email: "), str(errors))
    found = call("GET", "/tenants/users?" + urllib.parse.urlencode({"search": "@" + domain}), key)[2]
    check("nothing is created when a line is bad", found["total"] == 0, str(found)[:300])

    field = by_id("emails")
    field.clear()
    field.send_keys("\n".join(emails))
    submit(lambda: button("Invite"))
    check("all good lines redirect to the users page", path_of(driver.current_url) == "/console/users", describe())
    flash = driver.find_elements(By.CSS_SELECTOR, "p.flash")
    check("the users page says 'Invited 3 users.'", flash and flash[0].text.strip() == "Invited 3 users.",
          flash[0].text if flash else "no p.flash")
    total = call("GET", "/tenants/users?limit=1", key)[2]["total"]
    check("the users page shows the exact total", total == total_before + 3 and total_shown() == total,
          f"shown {total_shown()}, API {total}, before {total_before}")
    created = {address: user_by_email(address) for address in emails}
    check("the three users exist, pending", all(u and u["status"] == "pending" for u in created.values()), str(created)[:300])
    alice, bob, carol = ({"email": address, "id": created[address]["id"]} for address in emails)

    go("/console/users?" + urllib.parse.urlencode({"search": "@" + domain}))
    listed = {}
    for row in user_rows():
        link = row.find_element(By.CSS_SELECTOR, "td a")
        listed[link.text.strip()] = path_of(link.get_attribute("href"))
    check("the list shows each invited user linked to their page",
          listed == {u["email"]: f"/console/users/{u['id']}" for u in (alice, bob, carol)} and total_shown() == 3, str(listed))

    go("/console/users")
    fill("search", "bob@" + domain.split(".")[0])
    submit(lambda: button("Apply"))
    rows = [row.find_element(By.CSS_SELECTOR, "td a").text.strip() for row in user_rows()]
    check("search finds one user by a fragment of the email", rows == [bob["email"]] and total_shown() == 1,
          f"{rows}, total {by_id('total').text!r}, {describe()}")


def section_user_page():
    go(f"/console/users/{alice['id']}")
    check("the user page's h1 is the email", h1() == alice["email"], describe())
    fill("firstName", "Alice")
    fill("lastName", "Liddell")
    submit(lambda: button("Save"))
    now = user(alice["id"])
    check("Save changes first and last name", (now.get("firstName"), now.get("lastName")) == ("Alice", "Liddell"), str(now)[:300])

    tick(by_id("role-ADMIN"))
    submit(lambda: button("Save roles"))
    now = user(alice["id"])
    check("Save roles assigns ADMIN", "ADMIN" in {r["type"] for r in now["roles"]}, str([r["type"] for r in now["roles"]]))
    check("the ticked role stays ticked", by_id("role-ADMIN").is_selected())

    select = Select(by_id("groupId"))
    options = [o for o in select.options if o.get_attribute("value") == team["id"] or o.text.strip() == team["name"]]
    check("the 'Add to group' list offers the group", bool(options), str([o.text for o in select.options]))
    select.select_by_value(options[0].get_attribute("value"))
    submit(lambda: button("Add"))
    now = user(alice["id"])
    check("Add puts the user in the group", team["id"] in {g["id"] for g in now["groups"]}, str(now["groups"])[:300])
    items = [li for li in driver.find_elements(By.CSS_SELECTOR, "ul#user-groups li") if team["name"] in li.text]
    check("the group is listed on the user page", len(items) == 1, describe())
    billing = by_id("role-BILLING")
    check("a role held only through a group is checked, disabled, and says which group",
          billing.is_selected() and not billing.is_enabled() and f"from group {team['name']}" in driver.find_element(By.TAG_NAME, "body").text,
          f"selected {billing.is_selected()}, enabled {billing.is_enabled()}")
    submit(lambda: button("Remove", [li for li in driver.find_elements(By.CSS_SELECTOR, "ul#user-groups li") if team["name"] in li.text][0]))
    now = user(alice["id"])
    check("Remove takes the user out of the group", team["id"] not in {g["id"] for g in now["groups"]}
          and "BILLING" not in {r["type"] for r in now["roles"]}, str(now["groups"])[:300])
    check("the group is no longer listed", not [li for li in driver.find_elements(By.CSS_SELECTOR, "ul#user-groups li") if team["name"] in li.text])

    events = call("GET", f"/tenants/audit-events?targetId={alice['id']}&limit=200", key)[2]["data"]
    made = {}
    for event in events:
        if event["action"] in ("user.update", "user.roles.update", "user.groups.add", "user.groups.remove"):
            made.setdefault(event["action"], []).append(event["actor"])
    check("the audit log records each console change", set(made) == {"user.update", "user.roles.update", "user.groups.add", "user.groups.remove"},
          str(sorted(made)))
    check("console changes are made by the signed-in user", made and all(actor == {"type": "user", "id": owner_id}
                                                                          for actors in made.values() for actor in actors), str(made)[:500])


def section_screenshots():
    if not screenshots:
        return
    os.makedirs(screenshots, exist_ok=True)
    go("/console/users")
    check("the users screenshot shows several users", len(user_rows()) >= 4, f"{len(user_rows())} rows")
    users_png = os.path.join(screenshots, "console-users.png")
    driver.save_screenshot(users_png)
    go(f"/console/users/{alice['id']}")
    user_png = os.path.join(screenshots, "console-user.png")
    driver.save_screenshot(user_png)
    for file in (users_png, user_png):
        with open(file, "rb") as handle:
            check(f"the screenshot {file} is saved", handle.read(8) == b"\x89PNG\r\n\x1a\n")


def section_groups():
    name = "Security" + tag
    go("/console/groups")
    new = driver.find_element(By.LINK_TEXT, "New group")
    check("'New group' links to /console/groups/new", path_of(new.get_attribute("href")) == "/console/groups/new")
    submit(lambda: driver.find_element(By.LINK_TEXT, "New group"))
    fill("name", name)
    fill("description", "People who answer security incidents")
    fill("maxDevices", "5")
    tick(role_checkbox("SUPPORT"))
    submit(lambda: button("Create group"))
    found = re.fullmatch(r"/console/groups/([0-9a-fA-F-]{36})", path_of(driver.current_url))
    check("Create group leads to the group's page", found is not None, describe())
    group_id = found.group(1)
    status, _, group = call("GET", f"/tenants/groups/{group_id}", key)
    check("the group exists with its fields and role", status == 200 and group["name"] == name
          and group.get("description") == "People who answer security incidents" and group.get("maxDevices") == 5
          and [r["type"] for r in group["roles"]] == ["SUPPORT"], str(group)[:400])
    fill("memberEmail", alice["email"])
    submit(lambda: button("Add member"))
    group = call("GET", f"/tenants/groups/{group_id}", key)[2]
    check("Add member adds the user by email", [u["id"] for u in group.get("users", [])] == [alice["id"]], str(group)[:400])
    members = driver.find_elements(By.CSS_SELECTOR, "table#members tbody tr")
    check("the member is listed with a Remove button", len(members) == 1 and alice["email"] in members[0].text
          and buttons("Remove", members[0]), describe())
    check("the group's roles reach the member", "SUPPORT" in {r["type"] for r in user(alice["id"])["roles"]})
    go("/console/groups")
    rows = [row for row in driver.find_elements(By.CSS_SELECTOR, "table#groups tbody tr") if name in row.text]
    check("the groups list shows the group linked, with its member count",
          len(rows) == 1 and path_of(rows[0].find_element(By.LINK_TEXT, name).get_attribute("href")) == f"/console/groups/{group_id}"
          and re.search(r"\b1\b", rows[0].text), describe())
    go(f"/console/groups/{group_id}")
    submit(lambda: button("Delete group"), confirm=True)
    status, _, _ = call("GET", f"/tenants/groups/{group_id}", key)
    check("Delete group (confirmed) deletes it", status == 404, f"status {status}")
    check("its role left the member", "SUPPORT" not in {r["type"] for r in user(alice["id"])["roles"]})
    go(f"/console/groups/{default_group['id']}")
    check("the Default group has no 'Delete group' button", not buttons("Delete group"), describe())


def section_keys():
    go("/console/keys")
    tick(by_id("readOnly"))
    submit(lambda: button("Create key"))
    shown = driver.find_elements(By.ID, "new-key")
    secret = shown[0].text.strip() if shown else ""
    check("the new key is shown once", secret.startswith("csk_"), describe())
    status, _, _ = call("GET", "/tenants/users", secret)
    check("the new read-only key reads the REST API", status == 200, f"status {status}")
    status, _, _ = call("POST", "/tenants/users", secret, {"email": f"nobody@{domain}", "groups": []})
    check("the new read-only key cannot write", status == 403, f"status {status}")
    go("/console/keys")
    check("the key is not shown again", not driver.find_elements(By.ID, "new-key") and secret not in driver.page_source)
    prefix = secret[4:].split("_")[0]
    rows = [row for row in driver.find_elements(By.CSS_SELECTOR, "table#keys tbody tr") if prefix and prefix in row.text]
    check("the keys table lists the key by its prefix", len(rows) == 1, describe())
    submit(lambda: button("Revoke", [row for row in driver.find_elements(By.CSS_SELECTOR, "table#keys tbody tr") if prefix in row.text][0]),
           confirm=True)
    status, _, _ = call("GET", "/tenants/users", secret)
    check("a key revoked in the console is refused with 401", status == 401, f"status {status}")
    status, _, _ = call("GET", "/tenants/users", key)
    check("the admin key still works", status == 200, f"status {status}")


def section_xss():
    text = "<script>alert(1)</script>"
    status, _, _ = call("PUT", f"/tenants/users/{bob['id']}", key, {"firstName": text})
    check("a first name with markup is stored", status == 200, f"status {status}")
    for path in ("/console/users?" + urllib.parse.urlencode({"search": "bob@" + domain.split(".")[0]}), f"/console/users/{bob['id']}"):
        try:
            go(path)
            opened = alert_opens()
        except UnexpectedAlertPresentException:
            opened = True
            driver.switch_to.alert.accept()
        check(f"{path}: no alert opens", not opened)
        body = driver.find_element(By.TAG_NAME, "body").text
        value = [f.get_attribute("value") for f in driver.find_elements(By.ID, "firstName")]
        check(f"{path}: the markup is shown as literal text", text in body or text in value, body[:300])
        check(f"{path}: no script element carries it", not driver.find_elements(By.XPATH, "//script[contains(., 'alert(1)')]"))


def section_csrf():
    before = user(alice["id"])
    status, _, _ = page("POST", f"/console/users/{alice['id']}/profile", owner_session, {"firstName": "X", "lastName": "Y"})
    check("a post without the csrf field is 403", status == 403, f"status {status}")
    after = user(alice["id"])
    check("and changes nothing", (after.get("firstName"), after.get("lastName")) == (before.get("firstName"), before.get("lastName")),
          str(after)[:200])
    status, _, _ = page("POST", f"/console/users/{alice['id']}/profile", owner_session, {"csrf": "forged", "firstName": "X", "lastName": "Y"})
    check("a post with a wrong csrf value is 403", status == 403, f"status {status}")


def section_sign_out():
    go("/console/users")
    old = session_cookie()
    submit(lambda: button("Sign out"))
    go("/console/users")
    check("after Sign out /console/users goes to the login page", path_of(driver.current_url) == "/console/login", describe())
    status, headers, _ = page("GET", "/console/users", old)
    check("the old session cookie no longer works", status != 200 and (status not in (301, 302, 303, 307, 308)
          or path_of(urllib.parse.urljoin(base, headers.get("Location") or "")) == "/console/login"),
          f"status {status}, Location {headers.get('Location')}")


def activate(person, first, last):
    """Accepts `person`'s invitation with the token from their invitation mail."""
    token = None
    deadline = time.time() + WAIT
    while token is None and time.time() < deadline:
        for _, text in mail_to(person["email"], mail_files()):
            found = re.search(INVITATION_LINK, text)
            token = found.group(1) if found else token
        if token is None:
            time.sleep(0.1)
    check(f"{person['email']} has an invitation mail", token is not None)
    status, _, body = call("POST", f"/invitations/{token}/accept", None, {"firstName": first, "lastName": last})
    check(f"{person['email']} accepts the invitation", status == 200 and body.get("status") == "active", f"{status} {str(body)[:200]}")


def section_no_role():
    global dave
    address = f"dave@{domain}"
    status, _, body = call("POST", "/tenants/users", key, {"email": address, "groups": []})
    check("a plain user is created", status == 201, f"{status} {str(body)[:200]}")
    dave = {"email": address, "id": body["id"]}
    activate(dave, "Dave", "Plain")
    roles = {r["type"] for r in user(dave["id"])["roles"]}
    check("the plain user holds no admin or auditor role", not roles & {"OWNER", "ADMIN", "AUDITOR"}, str(roles))
    driver.delete_all_cookies()
    before = mail_files()
    answer = request_signin(address)
    check("the page still says 'Check your email'", answer == "Check your email", describe())
    time.sleep(1.5)
    check("a user without an admin or auditor role gets no sign-in mail", not mail_to(address, mail_files() - before),
          str(sorted(mail_files() - before)))
    answer = request_signin(f"nobody-{os.getpid()}@{domain}")
    check("an unknown address gets the same page", answer == "Check your email", describe())


def section_auditor():
    activate(carol, "Carol", "Auditor")
    status, _, _ = call("PATCH", f"/tenants/users/{carol['id']}/roles", key, {"addedRoles": [role_ids["AUDITOR"]]})
    check("AUDITOR is given through the REST API", status == 200, f"status {status}")
    driver.delete_all_cookies()
    link = sign_in(carol["email"])
    check("the auditor signs in from their own mail link", link is not None and h1() == "Users"
          and by_id("whoami").text.strip() == carol["email"], describe())
    if link is None:
        return
    for path in ("/console/users", f"/console/users/{alice['id']}", "/console/groups", f"/console/groups/{default_group['id']}",
                 "/console/roles", "/console/devices", "/console/audit", "/console/keys"):
        go(path)
        actions = [path_of(f.get_attribute("action") or "") for f in post_forms()]
        check(f"{path}: a read-only session has no post form but Sign out", all(a == "/console/logout" for a in actions),
              f"{actions} {describe()}")
        controls = [text for text in ("Save", "Save roles", "Add", "Remove", "Invite", "Delete", "Deactivate", "Create key",
                                      "Revoke", "Create group", "Add member", "Delete group") if buttons(text)]
        check(f"{path}: no write controls", not controls, str(controls))
    go(f"/console/users/{alice['id']}")
    token = csrf_value()
    check("the auditor's page carries a csrf token", bool(token))
    before = user(alice["id"])
    status, _, _ = page("POST", f"/console/users/{alice['id']}/profile", session_cookie(),
                        {"csrf": token or "", "firstName": "Mallory", "lastName": "Mallory"})
    check("a forged post with a valid csrf token from a read-only session is 403", status == 403, f"status {status}")
    after = user(alice["id"])
    check("and changes nothing", (after.get("firstName"), after.get("lastName")) == (before.get("firstName"), before.get("lastName")),
          str(after)[:200])


# ---------------------------------------------------------------------------------------------

try:
    healthy = wait_healthy()
    check("the server starts and answers /health", healthy, "".join(server_output)[-2000:])
    if not healthy:
        raise SystemExit(1)
    # A fresh database prints the owner's key (and a console sign-in link) at the first start.
    deadline = time.time() + 2
    while time.time() < deadline and not any(line.strip().startswith("csk_") for line in server_output):
        time.sleep(0.05)
    printed = [line.strip() for line in server_output if line.strip().startswith("csk_")]
    if printed:
        key, owner_email = printed[0], "owner@example.com"
        check("the first start prints a console sign-in link",
              any("/console/signin?token=" in line for line in server_output), "".join(server_output)[-1000:])
    else:
        # A database used before: a tenant of this run's own, made by the command line.
        tag = f" {os.getpid()}"
        domain = f"northwind-{os.getpid()}-{int(time.time())}.example"
        owner_email = f"owner@{domain}"
        made = subprocess.run([binary, "tenants", "create", "--name", "Console test" + tag, "--owner-email", owner_email, "--json"],
                              env=env, cwd=work, capture_output=True, text=True, timeout=30)
        check("tenants create makes a tenant for this run", made.returncode == 0, made.stderr[-1000:])
        key = json.loads(made.stdout)["apiKey"]
    owner = user_by_email(owner_email)
    owner_id = owner["id"]
    check("the owner is active and holds OWNER", owner["status"] == "active" and "OWNER" in {r["type"] for r in owner["roles"]}, str(owner)[:300])
    role_ids = {role["type"]: role["id"] for role in call("GET", "/tenants/roles", key)[2]}
    groups = call("GET", "/tenants/groups?limit=100", key)[2]["data"]
    default_group = next(g for g in groups if not g["deleteable"])
    status, _, body = call("POST", "/tenants/groups", key, {"name": "Engineering" + tag, "description": "Builds the product",
                                                            "roles": [role_ids["BILLING"]]})
    check("a group is made through the REST API", status == 201, f"{status} {str(body)[:200]}")
    team = {"id": body["id"], "name": body["name"]}

    start_browser()
    step("sign-in", section_sign_in)
    step("pages", section_pages)
    step("invite", section_invite)
    step("user page", section_user_page)
    step("screenshots", section_screenshots)
    step("groups", section_groups)
    step("API keys", section_keys)
    step("escaping", section_xss)
    step("CSRF", section_csrf)
    step("sign-out", section_sign_out)
    step("no role, no link", section_no_role)
    step("auditor", section_auditor)
except Watchdog as error:
    check("the run ends in time", False, str(error))
except SystemExit:
    pass
except Exception as error:  # noqa: BLE001 - setup failed: report it, clean up, fail
    check("setup", False, failure(error))
finally:
    stop_everything()

if check.failed:
    print("server output (last 3000 characters):\n" + "".join(server_output)[-3000:])
print(f"console: {check.passed} passed, {check.failed} failed ({time.time() - STARTED:.1f} s)")
sys.exit(1 if check.failed else 0)
