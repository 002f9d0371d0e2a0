"""The playground in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`)
driven by Selenium, against a real server on a free port (issue 19).

`.ci/run` installs what this needs (apt-get install chromium chromium-driver; selenium from the
`test` extra). Without them the test fails and says so; set GLASSGRAD_SKIP_BROWSER=1 to skip it.
"""

import os
import shutil
import time
from urllib.parse import urlencode

import pytest

from tests.nn.playground.client import ISSUE_CONFIG

WAIT = 45  # seconds: the longest any step here may take on a busy machine


def _chromium():
    if os.environ.get("GLASSGRAD_SKIP_BROWSER"):
        pytest.skip("GLASSGRAD_SKIP_BROWSER is set")
    browser = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    driver = shutil.which("chromedriver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        browser = None
    if browser is None or driver is None:
        pytest.fail("the browser test needs Chromium, its driver and Selenium: apt-get install -y chromium "
                    "chromium-driver && pip install -e '.[test]' (or set GLASSGRAD_SKIP_BROWSER=1 to skip "
                    "it)")
    return browser, driver


@pytest.fixture(scope="module")
def browser():
    path, driver_path = _chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = path
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(argument)
    # Selenium downloads no driver: the path is given
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_script_timeout(WAIT)
    yield driver
    driver.quit()


def wait_for(condition, what, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def text(driver, element_id):
    return driver.find_element("id", element_id).text


def epoch(driver):
    return int(text(driver, "epoch").replace(",", ""))


def open_page(browser, server, fragment=""):
    """Load the page afresh (a new fragment alone would not reload it)."""
    browser.get("about:blank")
    browser.get(f"http://127.0.0.1:{server.server_address[1]}/{fragment}")


def hash_of(config):
    return "#" + urlencode({k: ",".join(map(str, v)) if isinstance(v, list) else ("none" if v is None else v)
                            for k, v in config.items()})


BOUNDARY_COLOURS = """
const canvas = document.getElementById("boundary");
const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
let blue = 0, orange = 0;
const colours = new Set();
for (let k = 0; k < pixels.length; k += 4) {
  colours.add(pixels[k] * 65536 + pixels[k + 1] * 256 + pixels[k + 2]);
  if (pixels[k + 2] > pixels[k] + 60) blue++;
  if (pixels[k] > pixels[k + 2] + 60) orange++;
}
return [colours.size, blue, orange, pixels.length / 4];
"""


def test_play_trains_the_circle_below_0_1_test_loss_in_300_epochs(browser, server, client):
    open_page(browser, server, hash_of(ISSUE_CONFIG))
    wait_for(lambda: text(browser, "loss-test") not in ("", "–"), "the first state")
    assert epoch(browser) == 0 and browser.execute_script("return page.config.hidden") == [4, 2]
    first_loss = float(text(browser, "loss-test"))
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("id", "speed")).select_by_visible_text("10")  # 10 epochs per frame
    browser.find_element("id", "play").click()
    seen = wait_for(lambda: epoch(browser) > 0 and epoch(browser), "the epoch counter to rise")
    wait_for(lambda: epoch(browser) > seen, "the epoch counter to keep rising")
    wait_for(lambda: epoch(browser) >= 300, "300 epochs")
    browser.find_element("id", "play").click()  # pause
    time.sleep(0.3)
    stopped = epoch(browser)
    time.sleep(0.5)
    assert epoch(browser) == stopped, "pause did not stop training"
    shown_loss = float(text(browser, "loss-test"))
    assert shown_loss < 0.1 < first_loss, (first_loss, shown_loss)
    history = {entry[0]: entry for entry in client.get("/api/state")[2]["history"]}
    assert history[300][2] < 0.1, history[300]  # the test loss at epoch 300 exactly

    colours, blue, orange, total = browser.execute_script(BOUNDARY_COLOURS)
    assert colours > 50 and blue > total / 10 and orange > total / 10, (colours, blue, orange, total)


def test_the_controls_change_the_network_and_the_address(browser, server):
    open_page(browser, server, hash_of({**ISSUE_CONFIG, "hidden": [3]}))
    wait_for(lambda: browser.execute_script("return page.state && page.state.config.hidden.length") == 1,
             "the configuration from the address")
    browser.find_element("id", "add-layer").click()
    wait_for(lambda: "hidden=3%2C2" in browser.current_url, "the new layer in the address")
    assert len(browser.find_elements("css selector", "canvas.node.neuron")) == 5
    browser.find_element("css selector", "[aria-label='add a neuron to layer 2']").click()
    wait_for(lambda: "hidden=3%2C3" in browser.current_url, "the new neuron in the address")
    browser.find_element("css selector", "canvas.node.feature.inactive").click()  # x1 squared: now used
    wait_for(lambda: "features=x1%2Cx2%2Cx1_squared" in browser.current_url, "the new feature in the address")
    browser.find_element("id", "step").click()
    wait_for(lambda: epoch(browser) == 1, "one step")


def test_a_refused_address_shows_the_error_and_the_defaults(browser, server):
    open_page(browser, server, "#hidden=4,9")
    wait_for(lambda: "hidden=4%2C2" in browser.current_url, "the defaults")
    assert "hidden[1]" in text(browser, "message")
    browser.execute_script("location.hash = '#hidden=4,2,2,2,2,2,2'")  # 7 layers, typed into the address
    wait_for(lambda: "7 hidden layers" in text(browser, "message"), "the error message")
    wait_for(lambda: "hidden=4%2C2&" in browser.current_url, "the address of the configuration kept")


def test_the_graph_and_backprop_steps_appear_on_the_page(browser, server):
    open_page(browser, server, "#hidden=2")
    wait_for(lambda: browser.execute_script("return page.state !== null"), "the page")
    browser.find_element("id", "draw-graph").click()
    wait_for(lambda: browser.execute_script("const i = document.getElementById('graph'); "
                                            "return i.complete && i.naturalWidth > 100"), "the graph")
    browser.find_element("css selector", ".tabs button[data-tab='backprop']").click()
    browser.find_element("id", "backprop-run").click()
    wait_for(lambda: "step 1:" in text(browser, "backprop-description"), "the first backprop step")
    browser.find_element("id", "backprop-next").click()
    assert "step 2:" in text(browser, "backprop-description")
    assert browser.execute_script("return document.getElementById('backprop-frame').naturalWidth") > 100
