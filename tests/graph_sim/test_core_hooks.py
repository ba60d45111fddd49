"""The core's before-call hooks (CONTRACT.md §6 "Time, timings, async work"): plug-ins bring their
lazily computed state up to the simulator clock before every Graph call."""

import json

from graph_sim.core import before_call

# Registered the way plug-in modules do. They only act on a Simulator a test has marked, so the
# other tests sharing this process see no difference.


@before_call(order=10)
def _record_calls(sim):
    seen = getattr(sim, "coretest_hook_calls", None)
    if seen is not None:
        seen.append(sim.clock.now())


@before_call(order=20)
def _crash_when_asked(sim):
    if getattr(sim, "coretest_hook_crash", False):
        raise RuntimeError("a plug-in bug")


@before_call(order=30)
def _call_through_handle(sim):
    # A hook that makes Graph calls itself, as async work does when its requests run.
    token = getattr(sim, "coretest_hook_token", None)
    if token is not None:
        sim.coretest_hook_token = None
        sim.coretest_hook_inner = sim.handle(
            method="GET", path="/v25.0/me", params={"access_token": token}
        )


def test_hooks_run_before_each_graph_call_and_each_batch_operation(http, token, sim):
    # CONTRACT.md §6: "Compute progressions lazily" — the hook sees the clock of the call.
    sim.coretest_hook_calls = []
    sim.clock.advance(5)
    http.get("/me", params={"access_token": token})
    assert sim.coretest_hook_calls == [sim.clock.now()]
    ops = [{"method": "GET", "relative_url": "me"}, {"method": "GET", "relative_url": "me"}]
    http.post("/", data={"batch": json.dumps(ops), "access_token": token})
    assert len(sim.coretest_hook_calls) == 1 + 3  # the batch call and its two operations


def test_hooks_run_for_failing_calls_but_not_for_control_calls(http, sim):
    # README "The control API": /__sim__/ calls are outside the Graph pipeline.
    sim.coretest_hook_calls = []
    assert http.get("/me").json()["error"]["code"] == 104
    http.get("/__sim__/clock")
    http.get("/__sim__/calls")
    assert len(sim.coretest_hook_calls) == 1


def test_a_crashing_hook_is_logged_and_the_call_still_answers(http, token, sim, caplog):
    # CONTRACT.md §6: a plug-in's hook must not take every call down.
    sim.coretest_hook_crash = True
    response = http.get("/me", params={"access_token": token, "fields": "name"})
    assert response.status_code == 200
    assert response.json()["name"] == "Dana Demo"
    assert "before-call hook" in caplog.text


def test_calls_a_hook_makes_through_handle_do_not_run_the_hooks_again(http, token, sim):
    # CONTRACT.md §6: async work dispatches its requests through `sim.handle`.
    sim.coretest_hook_calls = []
    sim.coretest_hook_token = token
    response = http.get("/me", params={"access_token": token})
    assert response.status_code == 200
    assert sim.coretest_hook_inner.status == 200
    assert len(sim.coretest_hook_calls) == 1
    assert [c.path for c in sim.calls] == ["/me", "/me"]  # the hook's call, then the client's
