"""Pages of client approval (namespace `approvals`)."""

from django.urls import path

from campaigns.approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.ApprovalListView.as_view(), name="list"),
    path("send/", views.ApprovalSendView.as_view(), name="send"),
    path("<int:approval_id>/", views.ApprovalDetailView.as_view(), name="detail"),
    path("<int:approval_id>/previews/", views.ApprovalPreviewsView.as_view(), name="previews"),
    path("<int:approval_id>/decide/", views.ApprovalDecideView.as_view(), name="decide"),
    path("<int:approval_id>/cancel/", views.ApprovalCancelView.as_view(), name="cancel"),
    path("<int:approval_id>/dismiss/", views.ApprovalNoticeDismissView.as_view(),
         name="dismiss"),
    path("campaigns/<int:campaign_id>/", views.CampaignApprovalPanelView.as_view(),
         name="campaign-panel"),
    path("campaigns/<int:campaign_id>/policy/", views.CampaignApprovalPolicyView.as_view(),
         name="campaign-policy"),
    path("clients/<int:client_id>/policy/", views.ClientApprovalPolicyView.as_view(),
         name="client-policy"),
]
