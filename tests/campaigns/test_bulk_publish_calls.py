"""The fewest Graph calls a bulk publish can make under the documented limits."""

from __future__ import annotations

from campaigns.services.bulk_publish import bulk_publish_minimum_calls


def test_thousand_ads_need_eight_calls():
    calls = bulk_publish_minimum_calls(campaigns=10, adsets=100, creatives=20, ads=1000)

    # 10 campaigns: one sync batch. 100 ad sets under 10 campaigns: a sync batch holds one per
    # campaign (10 batches), an async batch takes all 100 (POST + one read) → 2.
    # 20 creatives: one sync batch. 1,000 ads: one async ad request set (POST + read) → 2.
    # Switching 1,000 ads on: one async batch (POST + read) → 2.
    assert calls["campaigns"] == 1 and calls["via"]["campaigns"] == "batch"
    assert calls["adsets"] == 2 and calls["via"]["adsets"] == "async"
    assert calls["creatives"] == 1
    assert calls["ads"] == 2 and calls["via"]["ads"] == "async"
    assert calls["ads_on"] == 2
    assert calls["total"] == 8


def test_small_levels_go_in_one_sync_batch_and_big_ones_split_by_the_limits():
    small = bulk_publish_minimum_calls(campaigns=1, adsets=1, creatives=1, ads=1,
                                       switch_on=False)
    assert small["total"] == 4 and set(small["via"].values()) == {"batch", None}

    big = bulk_publish_minimum_calls(campaigns=120, adsets=120, creatives=0, ads=2500)
    assert big["campaigns"] == 2  # one async batch (POST + read) beats 3 sync batches of 50
    assert big["via"]["campaigns"] == "async"
    assert big["adsets"] == 2  # one async batch of 120 (POST + read) beats 3 sync batches
    assert big["creatives"] == 0 and big["via"]["creatives"] is None
    assert big["ads"] == 6  # 1,000 + 1,000 + 500 ad specs: 3 sets, each POST + read


def test_each_ad_account_is_its_own_set_of_rounds():
    one = bulk_publish_minimum_calls(campaigns=10, adsets=100, creatives=20, ads=1000)
    two = bulk_publish_minimum_calls(campaigns=10, adsets=100, creatives=20, ads=1000,
                                     accounts=2)
    assert two["total"] == 2 * one["total"]


def test_ads_in_sync_batches_go_ten_at_a_time_as_the_docs_advise():
    def ads(n):
        calls = bulk_publish_minimum_calls(campaigns=1, adsets=1, creatives=1, ads=n,
                                           switch_on=False)
        return calls["ads"], calls["via"]["ads"]

    assert ads(10) == (1, "batch")
    assert ads(20) == (2, "batch")  # two sync batches of 10, as cheap as a set and its read
    assert ads(21) == (2, "async")  # three batches of 10 or one async ad request set + a read
