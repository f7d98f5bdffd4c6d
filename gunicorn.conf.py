"""Gunicorn reads this file by itself when started in this folder (README: "Running it in production").

It gives each worker what `flask --app wsgi serve` does for its own process: the models' threads sleep
when idle, the screening models load before the worker takes its first request (not while the first
person to post waits), and the background worker (community/worker.py) runs as a thread unless
SAFEGUARDING_WORKER_IN_SERVER=false (then run `flask --app wsgi worker` processes).
"""
import os
import threading

# Before any worker starts (and so before torch loads): an operator's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# Several gunicorn processes run on one machine (one per port), and by default each would take the
# same control socket (~/.gunicorn/gunicorn.ctl) from the one before; Village does not use it.
control_socket_disable = True


def post_worker_init(worker) -> None:
    """Load the models, telling the arbiter the worker is alive meanwhile: a worker silent for
    `timeout` seconds (30) is killed, and loading can take longer on a busy machine."""
    from community.cli import prepare_server_process

    loaded: dict = {}
    loader = threading.Thread(target=lambda: loaded.update(prepare_server_process(worker.wsgi)), daemon=True)
    loader.start()
    while loader.is_alive():
        worker.notify()
        loader.join(1)
    worker.log.info("Screening models: %s", ", ".join(f"{k} {v}" for k, v in loaded.items()) or "failed to load")
