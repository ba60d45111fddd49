"""Pages of the media library."""

from django.urls import path

from campaigns.media import views

app_name = "media"

urlpatterns = [
    path("clients/<int:client_id>/media/", views.MediaLibraryView.as_view(), name="library"),
    path("clients/<int:client_id>/media/grid/", views.MediaGridView.as_view(), name="grid"),
    path("media/<int:media_id>/file/", views.MediaFileView.as_view(), name="file"),
    path("media/<int:media_id>/push/", views.MediaPushView.as_view(), name="push"),
    path("media/copies/<int:account_media_id>/retry/", views.AccountMediaRetryView.as_view(),
         name="retry"),
]
