"""Sign-in, password reset, invitations and the team page."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
from accounts import views_connections as conn

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        views.PasswordResetRequestView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password-reset-done"),
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_reset_done.html"
        ),
        name="password-reset-done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path("invitations/<str:token>/", views.InvitationAcceptView.as_view(),
         name="invitation-accept"),
    path("team/", views.TeamView.as_view(), name="team"),
    path("team/invitations/", views.InvitationCreateView.as_view(), name="invitation-create"),
    path("team/invitations/<int:invitation_id>/revoke/", views.InvitationRevokeView.as_view(),
         name="invitation-revoke"),
    path("team/members/<int:membership_id>/", views.MembershipUpdateView.as_view(),
         name="membership-update"),
    path("team/members/<int:membership_id>/remove/", views.MembershipRemoveView.as_view(),
         name="membership-remove"),
    path("connections/", conn.ConnectionListView.as_view(), name="connection-list"),
    path("connections/connect/", conn.ConnectionStartView.as_view(), name="connection-start"),
    path("connections/callback/", conn.ConnectionCallbackView.as_view(),
         name="connection-callback"),
    path("connections/system-user/", conn.SystemUserTokenView.as_view(),
         name="connection-system-user"),
    path("connections/onboarding-links/", conn.OnboardingLinkCreateView.as_view(),
         name="onboarding-link-create"),
    path("connections/<int:connection_id>/", conn.ConnectionDetailView.as_view(),
         name="connection-detail"),
    path("connections/<int:connection_id>/check/", conn.ConnectionCheckView.as_view(),
         name="connection-check"),
    path("connections/<int:connection_id>/refresh/", conn.ConnectionRefreshAccountsView.as_view(),
         name="connection-refresh"),
    path("connections/<int:connection_id>/import/", conn.ConnectionImportView.as_view(),
         name="connection-import"),
    path("onboard/<str:token>/", conn.OnboardingView.as_view(), name="onboarding"),
]
