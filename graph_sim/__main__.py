"""`python -m graph_sim --port 8765`: serve the seeded demo world with a real-time clock."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from datetime import UTC, datetime

from werkzeug.serving import run_simple

from graph_sim.app import SimConfig, Simulator
from graph_sim.endpoints import LOAD_ERRORS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--app-id", default=None)
    parser.add_argument("--app-secret", default=None)
    parser.add_argument("--require-appsecret-proof", action="store_true")
    parser.add_argument("--default-version", default="v25.0")
    parser.add_argument(
        "--deprecated-version", action="append", default=[], help="answer this version with 2635"
    )
    parser.add_argument(
        "--clock-speed", type=float, default=1.0, help="simulated seconds per real second"
    )
    parser.add_argument(
        "--clock-start",
        default=None,
        help="simulated start time (Unix seconds or ISO date); default: now",
    )
    parser.add_argument("--quiet", action="store_true", help="no access log lines")
    parser.add_argument(
        "--state",
        default=None,
        help="keep the world in this file: loaded at start if present, saved every "
        "--state-interval seconds after calls and at shutdown",
    )
    parser.add_argument("--state-interval", type=float, default=5.0)
    args = parser.parse_args(argv)

    config = SimConfig(
        app_id=args.app_id,
        app_secret=args.app_secret,
        require_appsecret_proof=args.require_appsecret_proof,
        default_version=args.default_version,
        deprecated_versions=tuple(args.deprecated_version),
        manual_clock=False,
        clock_speed=args.clock_speed,
        # Server mode follows the wall clock from now, so the app's own dates (insights date
        # presets, token expiry) agree with the simulator's.
        clock_start=_parse_start(args.clock_start),
    )
    sim = Simulator(seed=args.seed, config=config)
    saver = None
    if args.state:
        from graph_sim.persistence import PeriodicSaver, world_load

        loaded = world_load(sim, args.state)
        print(f"world {'loaded from' if loaded else 'will be kept in'} {args.state}",
              file=sys.stderr, flush=True)
        saver = PeriodicSaver(sim, args.state, interval=args.state_interval).start()
        # SIGTERM stops the server like Ctrl-C, so the world is saved on the way out.
        signal.signal(signal.SIGTERM, _interrupt)
    token = sim.mint_token()
    demo = sim.world.demo
    summary = {
        "base_url": f"http://{args.host}:{args.port}",
        "app_id": demo["app_id"],
        "app_secret": demo["app_secret"],
        "user_id": demo["user_id"],
        "ad_account_ids": demo["ad_account_ids"],
        "demo_token": token.value,
        "control_api": f"http://{args.host}:{args.port}/__sim__/world",
    }
    print(json.dumps(summary, indent=2), flush=True)
    for module, error in LOAD_ERRORS.items():
        print(f"warning: {module} failed to import: {error}", file=sys.stderr, flush=True)

    from graph_sim.testing import QuietHandler

    try:
        run_simple(
            args.host,
            args.port,
            sim.wsgi_app,
            threaded=True,
            use_reloader=False,
            request_handler=QuietHandler if args.quiet else None,
        )
    except KeyboardInterrupt:
        pass
    finally:
        if saver is not None:
            saver.stop()
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _parse_start(raw: str | None) -> float:
    if not raw:
        return time.time()
    try:
        return float(raw)
    except ValueError:
        parsed = datetime.fromisoformat(raw)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()


if __name__ == "__main__":
    raise SystemExit(main())
