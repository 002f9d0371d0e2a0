"""Frames per second of `glassgrad playground` (issue 19): one frame is one training step
(an epoch: a pass over the 250 training points in batches of 10) of the default network
(x1, x2 -> 4 -> 2 -> 1, tanh) plus a 50x50 decision-boundary update, the neurons'
heatmaps, the weights and their gradients. Target: at least 20 frames per second.

Two figures: the session alone (`Session.train(1)` + `Session.frame()`), and a whole
`POST /api/step` through a real server on 127.0.0.1 (JSON encoding and HTTP included).
The page adds its drawing (about 2 ms in Chromium) and waits for the next animation frame.

    python bench/bench_playground.py [--frames N]
"""

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import busy_cpus

from nn.playground.config import DEFAULTS
from nn.playground.server import PlaygroundServer
from nn.playground.session import Session

TARGET_FPS = 20


def time_session(frames: int) -> list:
    session = Session(DEFAULTS)
    times = []
    for _ in range(frames):
        start = time.perf_counter()
        session.train(1)
        session.frame()
        times.append(time.perf_counter() - start)
    return times


def time_server(frames: int) -> list:
    server = PlaygroundServer(port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # one keep-alive connection, as the page's fetch uses
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1])
    body, headers = json.dumps({"epochs": 1}), {"Content-Type": "application/json"}
    times = []
    try:
        for _ in range(frames):
            start = time.perf_counter()
            connection.request("POST", "/api/step", body, headers)
            response = connection.getresponse()
            json.loads(response.read())
            assert response.status == 200
            times.append(time.perf_counter() - start)
    finally:
        connection.close()
        server.shutdown()
        server.server_close()
    return times


def report(what: str, times: list) -> None:
    median = statistics.median(times)
    slow = sorted(times)[int(0.9 * (len(times) - 1))]
    verdict = "ok" if 1 / median >= TARGET_FPS else "BELOW TARGET"
    print(f"{what:<44} {1 / median:6.1f} frames/s (median {median * 1e3:5.1f} ms, 90th percentile "
          f"{slow * 1e3:5.1f} ms)  target >= {TARGET_FPS}: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=100, help="frames timed per figure (default 100)")
    args = parser.parse_args()
    busy = busy_cpus()
    if busy is not None:
        print(f"other CPU activity before the start: {busy:.2f} of the cpus busy (figures drift under load)")
    time_session(5)  # warm-up: imports, NumPy's first calls
    report("session: train(1) + frame() with 50x50 grid", time_session(args.frames))
    report("server: POST /api/step {\"epochs\": 1}", time_server(args.frames))


if __name__ == "__main__":
    main()
