"""Tenant isolation, proven by walking every route of the URL resolver.

A new route is covered without anyone adding it here: the sweep finds it. A route whose URL takes
an object id must name that id in OBJECT_KWARGS (otherwise the sweep fails and says so), and then
agency A's owner must get 404 for agency B's object, on GET and on POST.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agency.models import Invitation
from agency.roles import Role
from agency.services import invitation_create
from tests.factories.accounts import MetaConnectionFactory
from tests.factories.agency import ClientFactory, MembershipFactory, UserFactory
from tests.factories.campaigns import AdAccountFactory, AdFactory
from tests.factories.jobs import JobFactory
from tests.factories.launches import LaunchBatchFactory, LaunchTemplateFactory
from tests.factories.media import AccountMediaFactory, MediaAssetFactory
from tests.factories.reporting import (
    InsightRowFactory,
    ReportingAdAccountFactory,
    ScheduledReportFactory,
)

SECRET = "Zebra-Bravo-Only"  # appears in every name of agency B's objects

# Routes that are not agency data: sign-in pages, the token-credentialed invitation page, the
# schema. Keep this list short; everything else is swept.
PUBLIC_ROUTES = {
    "accounts:login",
    "accounts:logout",
    "accounts:password-reset",
    "accounts:password-reset-done",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
    "accounts:invitation-accept",
    "accounts:connection-callback",  # the single-use state bound to the session is the credential
    "accounts:onboarding",  # the link's token is the credential
    "api:schema",
    "api:docs",
    "no-agency",
    "switch-agency",
}

# Routes a client viewer may open (everything else must answer 403 or 404 to one).
CLIENT_VIEWER_ROUTES = {
    "home",
    "reporting:home",
    "reporting:client",
    "api:me",
    "api:client-list",
    "api:client-detail",
    "api:ad-account-list",
    "reporting:client-csv",
    "reporting:ad-account",
    "reporting:ad-account-csv",
    "reporting:campaign",
    "reporting:campaign-csv",
    "api:insight-list",
    "reporting:logo",  # the agency's own logo on its reports
    "reporting:overview-csv",
    # Client approval: the client viewer's requests (its own clients' only) and its decision.
    "approvals:list",
    "approvals:detail",
    "approvals:previews",
    "approvals:decide",
    "api:approval-list",
    "api:approval-detail",
    "api:approval-decide",
}


@dataclass
class Route:
    name: str
    kwargs: tuple[str, ...]


def _walk(patterns, prefix: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from (
                Route(r.name, tuple(p.pattern.converters) + r.kwargs)
                for r in _walk(p.url_patterns, ns)
            )
        elif isinstance(p, URLPattern) and p.name:
            yield Route(f"{prefix}{p.name}", tuple(p.pattern.converters))


def all_routes() -> list[Route]:
    return [r for r in _walk(get_resolver().url_patterns) if not r.name.startswith("admin:")]


@pytest.fixture
def world_b(other_agency):
    """Agency B with one object of every kind a URL can name, each carrying SECRET in its name."""
    client_b = ClientFactory(agency=other_agency, name=f"{SECRET} Client")
    owner_b = MembershipFactory(
        agency=other_agency, role=Role.OWNER,
        user=UserFactory(email="owner@bravo.example", first_name=SECRET),
    )
    viewer_b = MembershipFactory(
        agency=other_agency, role=Role.CLIENT_VIEWER, clients=[client_b],
        user=UserFactory(email="viewer@bravo.example", first_name=SECRET),
    )
    invitation_create(inviter=owner_b, email="invitee@bravo.example", role=Role.ANALYST)
    invitation = Invitation.objects.unscoped().get(agency=other_agency)
    connection = MetaConnectionFactory(agency=other_agency, label=f"{SECRET} connection")
    ad_b = _campaign_tree(other_agency, client_b, connection, f"{SECRET} ")
    job = JobFactory(agency=other_agency, target_label=f"{SECRET} target", state="running")
    ad_account = ReportingAdAccountFactory(client=client_b, agency=other_agency,
                                           connection=connection, name=f"{SECRET} account")
    campaign_row = InsightRowFactory(ad_account=ad_account, campaign_name=f"{SECRET} campaign")
    report = ScheduledReportFactory(client=client_b, recipients=["secret@bravo.example"])
    media = MediaAssetFactory(agency=other_agency, client=client_b, name=f"{SECRET} banner.png")
    account_media = AccountMediaFactory(agency=other_agency, asset=media,
                                        ad_account__connection=connection,
                                        ad_account__name=f"{SECRET} ad account")
    approval = _approval(ad_b, f"{SECRET} please approve")
    template = LaunchTemplateFactory(agency=other_agency, name=f"{SECRET} audience")
    batch = LaunchBatchFactory(ad_account=ad_b.ad_account, name=f"{SECRET} batch")
    batch.campaigns.add(ad_b.adset.campaign)
    return {"client": client_b, "owner": owner_b, "viewer": viewer_b, "invitation": invitation,
            "connection": connection, "ad": ad_b, "job": job, "ad_account": ad_account,
            "campaign_id": campaign_row.object_id, "report": report, "media": media,
            "account_media": account_media, "approval": approval,
            "template": template, "batch": batch}


def _approval(ad, message=""):
    """An approval request for the ad's campaign, sent to the campaign's client."""
    from agency.tenancy import agency_scope
    from campaigns.approvals.services import approval_request_send

    with agency_scope(ad.agency_id):
        return approval_request_send(campaigns=[ad.adset.campaign], actor=None, message=message)


def _campaign_tree(agency, client, connection, prefix=""):
    """An ad account with a campaign, ad set, creative and ad, named with `prefix`."""
    account = AdAccountFactory(agency=agency, client=client, connection=connection,
                               name=f"{prefix}account")
    return AdFactory(adset__campaign__ad_account=account, name=f"{prefix}ad",
                     adset__name=f"{prefix}ad set", adset__campaign__name=f"{prefix}campaign",
                     creative__name=f"{prefix}creative")


# URL kwarg name -> agency B's object id. A route with a kwarg not listed here fails the sweep.
OBJECT_KWARGS: dict[str, Callable[[dict], object]] = {
    "client_id": lambda w: w["client"].pk,
    "membership_id": lambda w: w["viewer"].pk,
    "invitation_id": lambda w: w["invitation"].pk,
    "connection_id": lambda w: w["connection"].pk,
    "ad_account_id": lambda w: w["ad"].ad_account_id,
    "campaign_id": lambda w: w["ad"].adset.campaign_id,
    "adset_id": lambda w: w["ad"].adset_id,
    "creative_id": lambda w: w["ad"].creative_id,
    "ad_id": lambda w: w["ad"].pk,
    "job_id": lambda w: w["job"].pk,
    "graph_campaign_id": lambda w: w["campaign_id"],
    "report_id": lambda w: w["report"].pk,
    "media_id": lambda w: w["media"].pk,
    "account_media_id": lambda w: w["account_media"].pk,
    "template_id": lambda w: w["template"].pk,
    "batch_id": lambda w: w["batch"].pk,
    "approval_id": lambda w: w["approval"].pk,
}


def test_every_route_with_an_id_is_known_to_the_sweep():
    unknown = {
        (route.name, kw)
        for route in all_routes()
        if route.name not in PUBLIC_ROUTES
        for kw in route.kwargs
        if kw not in OBJECT_KWARGS
    }
    assert not unknown, (
        f"Routes take ids the isolation sweep cannot fill: {sorted(unknown)}. Add agency B's "
        "object for each to OBJECT_KWARGS in tests/agency/test_isolation.py."
    )


def test_sweep_finds_the_routes_it_guards():
    names = {r.name for r in all_routes()}
    assert {"agency:client-detail", "api:client-detail", "accounts:membership-update"} <= names


@pytest.mark.django_db
def test_owner_of_agency_a_gets_404_for_every_object_route_of_agency_b(client, owner, world_b):
    client.force_login(owner.user)
    checked = 0
    for route in all_routes():
        if route.name in PUBLIC_ROUTES or not route.kwargs:
            continue
        url = reverse(route.name, kwargs={k: OBJECT_KWARGS[k](world_b) for k in route.kwargs})
        for method in ("get", "post", "patch", "delete"):
            response = getattr(client, method)(url)
            if response.status_code == 405:
                continue
            assert response.status_code == 404, (
                f"{method.upper()} {url} ({route.name}) answered {response.status_code} to "
                "another agency's member: it must be 404"
            )
            checked += 1
    assert checked >= 8


@pytest.mark.django_db
def test_no_list_page_of_agency_a_shows_agency_b_data(client, owner, world_b, client_a):
    client.force_login(owner.user)
    for route in all_routes():
        if route.kwargs or route.name in {"accounts:logout", "api:docs"}:
            continue
        response = client.get(reverse(route.name), follow=True)
        assert response.status_code < 500, route.name
        body = response.content.decode(errors="replace")
        assert SECRET not in body, f"{route.name} shows agency B's data to agency A"


@pytest.mark.django_db
def test_client_viewer_cannot_reach_staff_routes(client, client_viewer, client_a, world_b):
    """A client viewer gets 403/404 everywhere but its reports; ids filled with its own objects."""
    client.force_login(client_viewer.user)
    own_copy = AccountMediaFactory(agency=client_a.agency, asset__client=client_a)
    own = {"client_id": client_a.pk, "membership_id": client_viewer.pk,
           "invitation_id": world_b["invitation"].pk,
           "connection_id": MetaConnectionFactory(agency=client_a.agency).pk,
           "job_id": JobFactory(agency=client_a.agency).pk,
           "graph_campaign_id": "1",
           "report_id": ScheduledReportFactory(client=client_a).pk,
           "media_id": own_copy.asset.pk, "account_media_id": own_copy.pk}
    ad = _campaign_tree(client_a.agency, client_a, MetaConnectionFactory(agency=client_a.agency))
    own.update({"ad_account_id": ad.ad_account_id, "campaign_id": ad.adset.campaign_id,
                "adset_id": ad.adset_id, "creative_id": ad.creative_id, "ad_id": ad.pk,
                "template_id": LaunchTemplateFactory(agency=client_a.agency).pk,
                "batch_id": LaunchBatchFactory(ad_account=ad.ad_account).pk})
    own["approval_id"] = _approval(ad).pk
    for route in all_routes():
        if route.name in PUBLIC_ROUTES or route.name in CLIENT_VIEWER_ROUTES:
            continue
        url = reverse(route.name, kwargs={k: own[k] for k in route.kwargs})
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in {403, 404, 405}, (
                f"client viewer got {response.status_code} on {method.upper()} {url}"
            )


@pytest.mark.django_db
def test_client_viewer_sees_only_its_granted_clients(client, agency, client_viewer, client_a):
    other_client = ClientFactory(agency=agency, name="Hidden Co")
    client.force_login(client_viewer.user)
    home = client.get(reverse("reporting:home"))
    assert b"Acme Shoes" in home.content and b"Hidden Co" not in home.content
    assert client.get(reverse("reporting:client", args=[client_a.pk])).status_code == 200
    assert client.get(reverse("reporting:client", args=[other_client.pk])).status_code == 404
    assert client.get(reverse("api:client-detail", args=[other_client.pk])).status_code == 404
    listed = client.get(reverse("api:client-list")).json()
    assert [c["name"] for c in listed] == ["Acme Shoes"]


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in_on_every_agency_page(client, world_b):
    for route in all_routes():
        if route.name in PUBLIC_ROUTES:
            continue
        kwargs = {k: OBJECT_KWARGS[k](world_b) for k in route.kwargs}
        response = client.get(reverse(route.name, kwargs=kwargs))
        if route.name.startswith("api:"):
            assert response.status_code in {401, 403}, route.name
        else:
            assert response.status_code == 302, route.name
            assert response["Location"].startswith(reverse("accounts:login")), route.name
