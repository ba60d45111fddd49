"""Sign-in pages, invitation acceptance and the team page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from accounts.forms import (
    EmailAuthenticationForm,
    InvitationAcceptForm,
    InvitationCreateForm,
    MembershipUpdateForm,
)
from accounts.throttle import throttle_hit
from agency import selectors, services
from agency.access import access_invitation_by_id, access_membership_by_id
from agency.errors import ServiceError
from agency.membership import switch_agency
from agency.roles import Capability
from agency.web import AgencyViewMixin


class SignInView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Asking for a reset email, throttled per address and per email: django-axes locks out
    password guessing at sign-in, this stops a reset flood (mail bombing, token fishing)."""

    def post(self, request, *args, **kwargs):
        address = request.META.get("REMOTE_ADDR", "")
        email = str(request.POST.get("email", ""))[:254]
        allowed = throttle_hit(
            scope="password-reset-address", key=address,
            limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS, window_seconds=3600,
        ) and throttle_hit(
            scope="password-reset-email", key=email,
            limit=settings.PASSWORD_RESET_LIMIT_PER_EMAIL, window_seconds=3600,
        )
        if not allowed:
            return render(request, "accounts/locked_out.html", {"reset": True}, status=429)
        return super().post(request, *args, **kwargs)


class InvitationAcceptView(View):
    """Open to anyone holding the link; the token is the credential."""

    template_name = "accounts/invitation_accept.html"

    def _invitation(self, token):
        try:
            return services.invitation_find_open(token=token), None
        except ServiceError as exc:
            return None, exc.message

    def get(self, request, token):
        invitation, error = self._invitation(token)
        form = None
        if invitation and not request.user.is_authenticated:
            form = InvitationAcceptForm(email=invitation.email)
        return render(request, self.template_name,
                      {"invitation": invitation, "error": error, "form": form},
                      status=200 if invitation else 410)

    def post(self, request, token):
        invitation, error = self._invitation(token)
        if invitation is None:
            return render(request, self.template_name, {"error": error}, status=410)
        form = None
        try:
            if request.user.is_authenticated:
                membership = services.invitation_accept(token=token, user=request.user)
            else:
                form = InvitationAcceptForm(request.POST, email=invitation.email)
                if not form.is_valid():
                    return render(request, self.template_name,
                                  {"invitation": invitation, "form": form}, status=400)
                membership = services.invitation_accept(
                    token=token,
                    password=form.cleaned_data["password1"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                )
                login(request, membership.user,
                      backend="django.contrib.auth.backends.ModelBackend")
        except ServiceError as exc:
            return render(request, self.template_name,
                          {"invitation": invitation, "form": form, "error": exc.message},
                          status=400)
        switch_agency(request, membership.agency_id)
        messages.success(request, f"Welcome to {membership.agency.name}.")
        return redirect("home")


class TeamView(AgencyViewMixin, TemplateView):
    template_name = "accounts/team.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = selectors.member_list(agency=self.agency)
        if self.membership.can(Capability.MANAGE_MEMBERS):
            context["invitations"] = selectors.invitation_list_open(agency=self.agency)
            context["invite_form"] = kwargs.get("invite_form") or InvitationCreateForm(
                membership=self.membership
            )
        return context


class InvitationCreateView(AgencyViewMixin, View):
    capability = Capability.MANAGE_MEMBERS

    def post(self, request):
        form = InvitationCreateForm(request.POST, membership=self.membership)
        if form.is_valid():
            try:
                services.invitation_create(
                    inviter=self.membership,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    clients=list(form.cleaned_data["clients"]),
                    accept_url_builder=lambda raw: request.build_absolute_uri(
                        reverse("accounts:invitation-accept", args=[raw])
                    ),
                )
            except ServiceError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
                return redirect("accounts:team")
        view = TeamView()
        view.setup(request)
        view.membership, view.agency = self.membership, self.agency
        return render(request, TeamView.template_name,
                      view.get_context_data(invite_form=form), status=400)


class InvitationRevokeView(AgencyViewMixin, View):
    capability = Capability.MANAGE_MEMBERS

    def post(self, request, invitation_id):
        invitation = access_invitation_by_id(membership=self.membership,
                                             invitation_id=invitation_id)
        services.invitation_revoke(invitation=invitation, actor=request.user)
        messages.success(request, f"Invitation to {invitation.email} withdrawn.")
        return redirect("accounts:team")


class MembershipUpdateView(AgencyViewMixin, View):
    capability = Capability.MANAGE_MEMBERS
    template_name = "accounts/membership_form.html"

    def get(self, request, membership_id):
        member = access_membership_by_id(membership=self.membership, membership_id=membership_id)
        form = MembershipUpdateForm(
            membership=self.membership,
            initial={"role": member.role, "clients": list(member.clients.all())},
        )
        return render(request, self.template_name, {"member": member, "form": form})

    def post(self, request, membership_id):
        member = access_membership_by_id(membership=self.membership, membership_id=membership_id)
        form = MembershipUpdateForm(request.POST, membership=self.membership)
        if form.is_valid():
            try:
                services.membership_update(
                    actor=self.membership, membership=member, role=form.cleaned_data["role"],
                    clients=list(form.cleaned_data["clients"]),
                )
            except ServiceError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, f"{member.user} is now {member.get_role_display()}.")
                return redirect("accounts:team")
        return render(request, self.template_name, {"member": member, "form": form}, status=400)


class MembershipRemoveView(AgencyViewMixin, View):
    capability = Capability.MANAGE_MEMBERS

    def post(self, request, membership_id):
        member = access_membership_by_id(membership=self.membership, membership_id=membership_id)
        try:
            services.membership_remove(actor=self.membership, membership=member)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{member.user} was removed from the agency.")
        return redirect("accounts:team")
