"""Take docs/playground.png, the README's screenshot of `glassgrad playground`:
python docs/make_playground_png.py

It starts the playground on a free port, opens it in headless Chromium (Debian's
`chromium` and `chromium-driver`, driven by Selenium), trains the default network
on the circle for 300 epochs, shows the test points and saves the window.
"""

import os
import shutil
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import Select

from nn.playground.server import PlaygroundServer

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playground.png")


def epoch(driver) -> int:
    return int(driver.find_element("id", "epoch").text.replace(",", ""))


def main() -> None:
    server = PlaygroundServer(port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,860",
                     "--hide-scrollbars"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(f"http://127.0.0.1:{server.server_address[1]}/#dataset=circle&hidden=4,2&activation=tanh")
        time.sleep(1)
        Select(driver.find_element("id", "speed")).select_by_visible_text("5")
        driver.find_element("id", "play").click()
        deadline = time.monotonic() + 120
        while epoch(driver) < 300 and time.monotonic() < deadline:
            time.sleep(0.05)
        driver.find_element("id", "play").click()
        driver.find_element("id", "show-test").click()
        time.sleep(0.5)
        driver.save_screenshot(PATH)
        loss = driver.find_element("id", "loss-test").text
        print(f"wrote {PATH} at epoch {epoch(driver)}, test loss {loss}")
    finally:
        driver.quit()
        server.shutdown()


if __name__ == "__main__":
    main()
