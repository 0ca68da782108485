"""The agent panel (web/agent-panel) in a real browser: headless Chromium (Debian's), driven by Playwright
for Python, against `sam local start-api` (the sam-built arm64 functions in Docker, the Connect stand-in
in a container, the template's CORS for the panel's origin).

Two origins serve the same panel: the allowed one (listed in AllowedOrigins) and a hostile one (not
listed). The stand-in's links name it `connect-local:4566`, its address on the test's docker network;
Chromium resolves that name to the container's address on the network (the host is on it), so Open
really loads the file from the stand-in.

Run by scripts/test-browser (after scripts/sam-build). PANEL_SCREENSHOT=path saves a screenshot of the
listed contact there (how docs/agent-panel.png was made)."""

import json
import os
import re
import sys
import unittest
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from sam_local_test import INSTANCE, ROOT, StartApi, docker, free_port

sys.path.insert(0, str(ROOT / "scripts" / "lib"))
import local_gateway  # noqa: E402
from panel_server import serve  # noqa: E402

EVERY_KIND = "c0ffee00-0000-4000-8000-000000000001"
TRANSFERRED = "c0ffee00-0000-4000-8000-000000000007"  # its initial contact is EVERY_KIND
FILES = "c0ffee00-0000-4000-8000-000000000008"
HOSTILE = "c0ffee00-0000-4000-8000-00000000000a"
TOKEN = "agent-token-for-the-test"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium tries to reach Google's hosts at every start.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-default-apps"]
ALLOWED_PORT = free_port()
ALLOWED_ORIGIN = f"http://127.0.0.1:{ALLOWED_PORT}"
# The panel framed by a host app on ALLOWED_ORIGIN, on an origin of its own that the API also allows.
FRAMED_PANEL_PORT = free_port()
# sam emulates CORS without Access-Control-Expose-Headers, so a page cannot read Retry-After from it;
# scripts/local's front (scripts/lib/local_gateway.py) applies the template's CORS, ExposeHeaders too.
GATEWAY_PANEL_PORT = free_port()
# A host app's page, beside the panel on the allowed and the hostile origin (the panel's CSP frames nothing).
HOST_PAGE = {"/host.html": "<!doctype html><title>host</title>"}
# A Lambda request id (a UUID): what the envelope's requestId carries, for an agent to quote.
REQUEST_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
GATEWAY_PANEL_ORIGIN = f"http://127.0.0.1:{GATEWAY_PANEL_PORT}"


class AgentPanelTest(StartApi):
    origins = f"{ALLOWED_ORIGIN},http://127.0.0.1:{FRAMED_PANEL_PORT}"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api_url = f"http://127.0.0.1:{cls.port}"
        config = {"apiUrl": cls.api_url, "instanceId": INSTANCE}
        cls.servers = [serve("127.0.0.1", ALLOWED_PORT, config, HOST_PAGE)]
        hostile_port = free_port()
        cls.servers.append(serve("127.0.0.1", hostile_port, config, HOST_PAGE))
        cls.hostile_origin = f"http://localhost:{hostile_port}"  # another origin: another host name and port
        cls.host_origin_server = serve("127.0.0.1", FRAMED_PANEL_PORT, {**config, "hostOrigin": ALLOWED_ORIGIN})
        cls.servers.append(cls.host_origin_server)
        cls.gateway = local_gateway.serve("127.0.0.1", 0, cls.api_url, [GATEWAY_PANEL_ORIGIN])
        cls.gateway_url = f"http://127.0.0.1:{cls.gateway.server_address[1]}"
        cls.servers += [cls.gateway, serve("127.0.0.1", GATEWAY_PANEL_PORT, {**config, "apiUrl": cls.gateway_url})]
        cls.stand_in_ip = docker("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", cls.stand_in)
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_FLAGS, f"--host-resolver-rules=MAP connect-local {cls.stand_in_ip}"],
        )

    @classmethod
    def tearDownClass(cls):
        for closing in (lambda: cls.browser.close(), lambda: cls.playwright.stop(), *[s.shutdown for s in cls.servers]):
            try:
                closing()
            except Exception as error:  # noqa: BLE001 - tear everything down, then report
                print(f"teardown: {error}", file=sys.stderr)
        super().tearDownClass()

    def setUp(self):
        self.stand_in_control("DELETE", "/_faults")
        self.context = self.browser.new_context()
        self.requests = []
        self.context.on("request", lambda request: self.requests.append(request))
        self.page = self.context.new_page()
        self.page.set_default_timeout(90_000)  # the first call of each function starts its container under qemu

    def tearDown(self):
        self.context.close()
        self.stand_in_control("DELETE", "/_faults")

    def stand_in_control(self, method, path, body=None):
        request = urllib.request.Request(
            f"http://{self.stand_in_ip}:4566{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None, headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status

    def open_panel(self, contact, origin=ALLOWED_ORIGIN, query="", token=TOKEN):
        fragment = f"#access_token={token}" if token else ""
        self.page.goto(f"{origin}/index.html?contactId={contact}{query}{fragment}")

    def api_requests(self, path_part):
        return [r for r in self.requests if r.url.startswith(self.api_url) and path_part in r.url]

    def item(self, name):
        return self.page.locator("#references li").filter(has=self.page.locator(".name", has_text=name))

    def test_the_panel_lists_a_seeded_contacts_references_of_every_kind_with_the_agents_token(self):
        # An apiUrl in the page's address is ignored: the API is the deployment's configuration.
        self.open_panel(EVERY_KIND, query="&apiUrl=http://127.0.0.1:9")
        expect(self.page.locator("#status")).to_have_text("11 references.")
        kinds = self.page.locator("#references li").evaluate_all("items => items.map(i => i.dataset.type)")
        self.assertEqual(set(kinds), {"URL", "ATTACHMENT", "CONTACT_ANALYSIS", "STRING", "NUMBER", "DATE", "EMAIL",
                                      "EMAIL_MESSAGE", "EMAIL_MESSAGE_REDACTED", "EMAIL_MESSAGE_PLAIN_TEXT",
                                      "EMAIL_MESSAGE_PLAIN_TEXT_REDACTED"})
        link = self.item("caseUrl").locator("a")
        expect(link).to_have_attribute("href", "https://crm.example.com/case/SEED-8842")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        expect(self.item("orderNumber").locator(".value")).to_have_text("4471902")
        expect(self.item("note").locator(".value")).to_have_text("SEED customer prefers email")
        expect(self.item("callbackDate").locator(".value")).to_contain_text("2026-12-01T09:30:00Z")
        expect(self.item("inboundEmail").first.locator(".kind")).to_have_text("Email")
        expect(self.item("scan.pdf").locator(".state")).to_have_text("APPROVED")
        expect(self.item("scan.pdf").get_by_role("button", name="Open")).to_be_visible()
        if os.environ.get("PANEL_SCREENSHOT"):
            self.page.set_viewport_size({"width": 720, "height": 760})
            self.page.screenshot(path=os.environ["PANEL_SCREENSHOT"], full_page=True)
        # The token went in a header (the fragment never leaves the browser), and left the address bar.
        listed = self.api_requests("/contact/references/")
        self.assertTrue(listed)
        self.assertEqual({r.headers.get("authorization") for r in listed}, {f"Bearer {TOKEN}"})
        carrying_the_token = [r.url for r in self.requests if r.headers.get("authorization")]
        self.assertTrue(all(url.startswith(f"{self.api_url}/") for url in carrying_the_token), carrying_the_token)
        self.assertNotIn(TOKEN, self.page.url)

    def test_open_asks_the_download_route_for_json_with_the_token_then_opens_the_seeded_file(self):
        self.open_panel(FILES)
        item = self.item("approved.pdf")
        with self.context.expect_page() as opened:
            item.get_by_role("button", name="Open").click()
        file_page = opened.value
        file_page.wait_for_load_state()
        self.assertEqual(file_page.locator("body").inner_text().strip(), "connect-local: the content of approved.pdf")
        self.assertTrue(file_page.url.startswith("http://connect-local:4566/_files/"), file_page.url)
        (download,) = self.api_requests("/contact/attachments/")
        self.assertIn("/SEED-att-approved?disposition=inline", download.url)  # a PDF opens in the browser
        self.assertEqual(download.headers.get("accept"), "application/json")
        self.assertEqual(download.headers.get("authorization"), f"Bearer {TOKEN}")
        expect(item.locator(".size")).to_have_text("1.0 KB")  # from the download route's answer

    def test_a_file_still_scanning_says_so_and_honours_retry_after(self):
        self.open_panel(FILES)
        item = self.item("processing.png")
        expect(item.locator(".note")).to_have_text("Still scanning, try again in a moment.")
        button = item.get_by_role("button", name="Try again")
        button.click()
        # sam local hides Retry-After from the page: the panel names no time, and waits the function's 5 s.
        expect(item.locator(".note")).to_have_text("Still scanning, try again in a moment.")
        expect(item.locator(".note")).to_have_count(1)
        expect(button).to_be_disabled()
        expect(button).to_be_enabled(timeout=8_000)

    def test_behind_a_gateway_that_exposes_retry_after_the_panel_names_the_wait(self):
        self.open_panel(FILES, origin=GATEWAY_PANEL_ORIGIN)
        item = self.item("processing.png")
        item.get_by_role("button", name="Try again").click()
        expect(item.locator(".note")).to_have_text("Still scanning, try again in 5 s.")

    def test_files_that_will_never_open_have_no_open_button(self):
        self.open_panel(FILES)
        for name, status in (("rejected.exe", "REJECTED"), ("failed.doc", "FAILED")):
            item = self.item(name)
            expect(item.locator(".state")).to_have_text(status)
            expect(item.get_by_role("button")).to_have_count(0)
            expect(item.locator(".note")).to_have_text("This file cannot be opened.")

    def test_a_throttled_open_says_so_and_retries_once(self):
        self.open_panel(FILES)
        # The SDK's three attempts throttled: THROTTLED with Retry-After: 1; the panel's one retry opens it.
        self.stand_in_control("POST", "/_faults", {"kind": "throttle", "times": 3, "file": "SEED-att-second"})
        item = self.item("second.pdf")
        with self.context.expect_page() as opened:
            item.get_by_role("button", name="Open").click()
            expect(item.locator(".note")).to_have_text("Amazon Connect is busy, trying again…")
        opened.value.wait_for_load_state()
        self.assertEqual(opened.value.locator("body").inner_text().strip(), "connect-local: the content of second.pdf")
        self.assertEqual(len(self.api_requests("/SEED-att-second")), 2)

    def test_a_throttled_open_that_stays_throttled_shows_the_message_and_the_request_id(self):
        self.open_panel(FILES)
        self.stand_in_control("POST", "/_faults", {"kind": "throttle", "times": 6, "file": "SEED-att-second"})
        item = self.item("second.pdf")
        item.get_by_role("button", name="Open").click()
        expect(item.locator(".note.error")).to_contain_text("Amazon Connect is busy. Try again in a moment.")
        expect(item.locator(".request-id")).to_have_text(REQUEST_ID)
        self.assertEqual(len(self.api_requests("/SEED-att-second")), 2)  # once, and one retry: no more

    def test_an_error_shows_its_message_and_the_request_id_to_quote(self):
        self.open_panel(TRANSFERRED, query="&initial=false")
        expect(self.page.locator("#status.error")).to_contain_text("contact=initial")
        expect(self.page.locator("#status .request-id")).to_have_text(REQUEST_ID)

    def test_a_transferred_contact_shows_its_initial_contacts_references(self):
        self.open_panel(TRANSFERRED, query="&initial=true")
        expect(self.page.locator("#status")).to_have_text("11 references.")
        (listed,) = self.api_requests("/contact/references/")
        self.assertIn(f"/{TRANSFERRED}?contact=initial", listed.url)
        expect(self.page.locator("#initial")).to_be_checked()

    def test_a_hostile_reference_renders_as_text(self):
        self.open_panel(HOSTILE)
        expect(self.page.locator("#status")).to_have_text("3 references.")
        url = self.item("<img src=x")
        expect(url.locator(".name")).to_have_text("<img src=x onerror=\"document.body.dataset.pwned='name'\">")
        expect(url.locator("a")).to_have_count(0)  # a javascript: value is no link
        expect(url.locator(".value")).to_have_text("javascript:document.body.dataset.pwned='href'")
        expect(self.item("<b>note</b>").locator(".value")).to_have_text("<script>document.body.dataset.pwned='value'</script>")
        expect(self.item("<svg").locator(".state")).to_have_text("REJECTED")
        self.assertEqual(self.page.locator("#references img, #references script, #references svg, #references b").count(), 0)
        self.page.locator("#references .value").first.click()
        self.assertIsNone(self.page.evaluate("document.body.dataset.pwned ?? null"))

    def test_a_page_of_another_origin_cannot_read_the_apis_answers(self):
        self.open_panel(EVERY_KIND, origin=self.hostile_origin)
        expect(self.page.locator("#status.error")).to_have_text(
            "The references service could not be reached, or it does not accept calls from this page.")
        path = f"{self.api_url}/contact/references/{INSTANCE}/{EVERY_KIND}"
        # With the token (a preflight, refused) and without (a simple request, sent but its answer hidden).
        for headers in ({"authorization": f"Bearer {TOKEN}"}, {}):
            outcome = self.page.evaluate(
                "([url, headers]) => fetch(url, { headers }).then(r => r.text(), e => `blocked: ${e.name}`)", [path, headers])
            self.assertEqual(outcome, "blocked: TypeError", headers)

    def fetch_from(self, origin, url):
        self.page.goto(f"{origin}/index.html")
        return self.page.evaluate(
            """url => fetch(url, { headers: { authorization: "Bearer t", accept: "application/json" } })
                 .then(r => ({ status: r.status, retryAfter: r.headers.get("retry-after") }), e => `blocked: ${e.name}`)""", url)

    def test_the_allowed_origins_preflight_with_authorization_succeeds(self):
        path = f"/contact/attachments/{INSTANCE}/{FILES}/SEED-att-processing"
        # An Authorization header always makes the browser ask first: the answer was read, so it agreed.
        self.assertEqual(self.fetch_from(ALLOWED_ORIGIN, self.api_url + path), {"status": 409, "retryAfter": None})
        # Behind the template's full CORS (the local front) the exposed Retry-After is readable too.
        self.assertEqual(self.fetch_from(GATEWAY_PANEL_ORIGIN, self.gateway_url + path), {"status": 409, "retryAfter": "5"})
        self.assertEqual(self.fetch_from(self.hostile_origin, self.gateway_url + path), "blocked: TypeError")

    def test_in_the_agent_workspace_the_contact_comes_from_the_workspace(self):
        # What @amazon-connect/app's AmazonConnectApp.init does in the workspace: onCreate with the scope.
        self.page.add_init_script(f"""window.AmazonConnectApp = {{ init({{ onCreate }}) {{
            setTimeout(() => onCreate({{ context: {{ scope: {{ contactId: "{FILES}" }} }} }}));
            return {{ provider: {{}} }}; }} }};""")
        self.page.goto(f"{ALLOWED_ORIGIN}/index.html#access_token={TOKEN}")
        expect(self.item("approved.pdf")).to_have_count(1)
        (listed,) = self.api_requests("/contact/references/")
        self.assertIn(f"/{FILES}", listed.url)

    def frame_the_panel(self, host_origin, token):
        """A host page on `host_origin` frames the panel (configured for ALLOWED_ORIGIN hosts), answers its
        token request with `token`, and posts `token` unasked every 100 ms. Returns the frame and whether the
        host was asked."""
        port = self.host_origin_server.server_address[1]
        self.page.goto(f"{host_origin}/host.html")
        self.page.evaluate("""([url, token]) => {
            window.asked = false;
            addEventListener("message", event => {
              if (event.data?.type !== "connect-references:token-request") return;
              window.asked = true;
              event.source.postMessage({ type: "connect-references:token", token }, event.origin);
            });
            const frame = document.createElement("iframe");
            frame.src = url;
            // Unasked as well, again and again, as a hostile host would.
            setInterval(() => frame.contentWindow.postMessage({ type: "connect-references:token", token }, "*"), 100);
            document.body.append(frame);
          }""", [f"http://127.0.0.1:{port}/index.html?contactId={FILES}", token])
        return self.page.frame_locator("iframe")

    def test_a_token_from_the_configured_host_origin_is_used_and_no_other_origin_gets_or_gives_one(self):
        frame = self.frame_the_panel(self.hostile_origin, "from-anyone")
        expect(frame.locator("#initial")).to_be_attached()
        self.page.wait_for_timeout(1_000)  # time enough for a call, if the panel were to make one
        expect(frame.locator("#status")).to_have_text("Loading…")
        self.assertEqual(self.api_requests("/contact/references/"), [])  # its token ignored: still waiting
        self.assertFalse(self.page.evaluate("window.asked"))  # the request went to the host origin only
        frame = self.frame_the_panel(ALLOWED_ORIGIN, TOKEN)
        expect(frame.locator("#status")).to_have_text("10 references.")
        self.assertTrue(self.page.evaluate("window.asked"))
        (listed,) = self.api_requests("/contact/references/")
        self.assertEqual(listed.headers.get("authorization"), f"Bearer {TOKEN}")



if __name__ == "__main__":
    unittest.main()
