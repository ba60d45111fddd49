"""Forms of the media library."""

from __future__ import annotations

from django import forms

from campaigns.media.validation import ACCEPTED_DESCRIPTION


class MediaUploadForm(forms.Form):
    # `accept` only helps the browser's file picker; the server sniffs the content.
    file = forms.FileField(
        label="Image or video",
        help_text=f"{ACCEPTED_DESCRIPTION}; images up to 8 MB, videos up to 10 GB.",
        widget=forms.ClearableFileInput(attrs={
            "accept": "image/jpeg,image/png,image/gif,video/mp4,video/quicktime,.jpg,.jpeg,.png,"
                      ".gif,.mp4,.mov",
        }),
    )
    name = forms.CharField(max_length=200, required=False,
                           help_text="Optional; the file's name otherwise.")
