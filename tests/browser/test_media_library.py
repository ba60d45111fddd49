"""Browser: a manager uploads an image and a video in a client's media library and watches the
progress bars, polled by HTMX, reach the end on a real Celery worker, and every ad account's copy
become ready."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient

from campaigns.media.models import AccountMedia, AccountMediaState
from graph_sim.media.formats import build_mp4, build_png
from graph_sim.media.images import media_settings
from tests.browser.conftest import screenshot
from tests.factories.accounts import MetaConnectionFactory
from tests.factories.media import AdAccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def _signed_in(page, live_server, user):
    client = DjangoClient()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


def _upload(page, name, mime, data):
    page.get_by_label("Image or video").set_input_files(
        {"name": name, "mimeType": mime, "buffer": data})
    page.get_by_test_id("media-upload-submit").click()
    page.wait_for_url("**/media/")


def _wait_all_ready(page, graph, card, timeout_s=45):
    for _ in range(int(timeout_s / 0.5)):
        graph.sim.clock.advance(5)  # Meta's video processing runs on the simulator's clock
        states = card.get_by_test_id("media-copy").evaluate_all(
            "els => els.map(e => e.dataset.state)")
        if states and all(s == "ready" for s in states):
            return states
        page.wait_for_timeout(500)
    raise AssertionError(f"copies not ready: {states}")


def test_upload_image_and_video_and_see_them_ready_on_every_account(
        celery_worker, live_server, page, graph, agency, manager, client_a):
    connection = MetaConnectionFactory(agency=agency, token=graph.sim.mint_token().value)
    demo = graph.sim.world.demo
    for currency in ("USD", "EUR"):
        AdAccountFactory(agency=agency, client=client_a, connection=connection,
                         name=f"Acme {currency}", currency=currency,
                         account_id=demo["ad_account_by_currency"][currency].removeprefix("act_"))
    media_settings(graph.sim).chunk_size = 16 * 1024
    media_settings(graph.sim).processing_seconds = 10
    graph.sim.faults.add("delay", path="/act_*/advideos", delay=0.03)
    _signed_in(page, live_server, manager.user)

    page.goto(f"{live_server.url}/clients/{client_a.pk}/")
    page.get_by_role("link", name="Media library").click()
    page.wait_for_url(f"**/clients/{client_a.pk}/media/")

    _upload(page, "spring-banner.png", "image/png", build_png(1200, 628))
    image_card = page.get_by_test_id("media-asset").filter(has_text="spring-banner.png")
    image_card.wait_for()
    _wait_all_ready(page, graph, image_card)
    image_card.locator('[data-testid="job-progress"][data-state="succeeded"]').wait_for()
    assert image_card.get_by_test_id("job-count").inner_text() == "2 of 2 done"

    _upload(page, "launch.mp4", "video/mp4", build_mp4(padding=200 * 1024))
    video_card = page.get_by_test_id("media-asset").filter(has_text="launch.mp4")
    video_card.get_by_test_id("job-progress").wait_for()
    states = _wait_all_ready(page, graph, video_card)
    assert states == ["ready", "ready"]
    video_card.locator('[data-testid="job-progress"][data-state="succeeded"]').wait_for(
        timeout=20_000)
    bar = video_card.locator("progress")
    assert bar.get_attribute("value") == bar.get_attribute("max")  # the bar reached the end
    thumbnail = video_card.locator(".media-thumb img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=thumbnail.element_handle())  # Meta's thumbnail, allowed by CSP
    screenshot(page, "media-library")

    copies = AccountMedia.objects.unscoped().filter(asset__client=client_a)
    assert copies.count() == 4 and {c.state for c in copies} == {AccountMediaState.READY}
    assert all(c.image_hash or c.video_id for c in copies)
