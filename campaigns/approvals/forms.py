"""Forms of client approval: sending drafts, the client's decision, the approval policy."""

from __future__ import annotations

from django import forms

from agency.ids import IdModelMultipleChoiceField
from agency.validation import model_max_length
from campaigns.approvals.models import ApprovalRequest
from campaigns.approvals.services import Decision
from campaigns.models import Campaign


class ApprovalSendForm(forms.Form):
    campaigns = IdModelMultipleChoiceField(queryset=Campaign.objects.none())
    message = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=model_max_length(ApprovalRequest, "message"))

    def __init__(self, *args, drafts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if drafts is not None:
            self.fields["campaigns"].queryset = drafts


class ApprovalDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[(Decision.APPROVE, "Approve"),
                                          (Decision.REQUEST_CHANGES, "Request changes")])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=model_max_length(ApprovalRequest, "comment"))
    # An owner recording an approval the client gave outside Adwright (phone, email, meeting).
    offline = forms.BooleanField(required=False)


class CampaignApprovalPolicyForm(forms.Form):
    CHOICES = [("default", "Follow the client's default"), ("required", "Required"),
               ("waived", "Not required")]
    required = forms.ChoiceField(choices=CHOICES)

    def value(self) -> bool | None:
        return {"default": None, "required": True, "waived": False}[
            self.cleaned_data["required"]]


class ClientApprovalPolicyForm(forms.Form):
    required = forms.BooleanField(required=False)
