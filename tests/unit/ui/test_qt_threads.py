"""Guard for the pinned Qt binding: Python threads making NumPy frames beside a QApplication must not crash.

PySide6 6.12.0 aborts with "Fatal Python error: bool_dealloc/none_dealloc" (a reference-count bug) in exactly the
pattern the wall uses: stream threads hand arrays to the GUI thread, which wraps them in QImages. 6.11.3 is pinned
for that reason; this test fails if an upgrade brings the bug back.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import threading, time
    import numpy as np
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    slots, lock, stop = {}, threading.Lock(), threading.Event()

    def produce(key):
        while not stop.is_set():
            frame = np.ascontiguousarray(np.random.randint(0, 255, (90, 160, 3), np.uint8))
            with lock:
                slots[key] = frame
            time.sleep(0.002)

    threads = [threading.Thread(target=produce, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    shown = {}
    end = time.monotonic() + 2.5
    while time.monotonic() < end:
        with lock:
            items = list(slots.items())
        for key, frame in items:
            shown[key] = (frame, QImage(frame.data, 160, 90, frame.strides[0], QImage.Format.Format_RGB888))
        app.processEvents()
    stop.set()
    for t in threads:
        t.join()
    print("survived")
    """
)


def test_numpy_frames_from_python_threads_do_not_crash_qt() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, env=env)
        assert done.returncode == 0 and "survived" in done.stdout, done.stderr[-2000:]
