"""Forms of the templates, variants and CSV import pages: shapes and lengths only; the rules
are the builder's, applied by the services."""

from __future__ import annotations

from django import forms

from agency.ids import IdModelChoiceField, IdModelMultipleChoiceField
from campaigns.launches.models import LaunchTemplate, TemplateKind
from campaigns.launches.naming import DEFAULT_PATTERNS, PATTERN_MAX
from campaigns.launches.services.csv_import import MAX_BYTES
from campaigns.launches.services.variants import VariantInput

SPLIT_CHOICES = [("", "One campaign"), ("audience", "One campaign per audience"),
                 ("placement", "One campaign per placement set"),
                 ("creative", "One campaign per creative")]


class TemplateSaveForm(forms.Form):
    name = forms.CharField(max_length=200, label="Template name")
    kind = forms.ChoiceField(choices=TemplateKind.choices, widget=forms.HiddenInput)
    all_creatives = forms.BooleanField(required=False,
                                       label="Every creative of this campaign")


class TemplateRenameForm(forms.Form):
    name = forms.CharField(max_length=200)


class TemplateApplyForm(forms.Form):
    template = IdModelChoiceField(queryset=None)
    index = forms.IntegerField(min_value=0, max_value=49, required=False)

    def __init__(self, *args, kinds: tuple[str, ...], **kw):
        super().__init__(*args, **kw)
        self.fields["template"].queryset = LaunchTemplate.objects.filter(kind__in=kinds)


class CampaignFromTemplateForm(forms.Form):
    template = IdModelChoiceField(queryset=None)
    name = forms.CharField(max_length=400, required=False)

    def __init__(self, *args, ad_account, **kw):
        self.ad_account = ad_account
        super().__init__(*args, **kw)
        self.fields["template"].queryset = LaunchTemplate.objects.filter(
            kind=TemplateKind.CAMPAIGN)


class VariantForm(forms.Form):
    audience_templates = IdModelMultipleChoiceField(
        queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple, label="Saved audiences")
    audience_adsets = IdModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Audiences of this campaign's ad sets")
    placement_templates = IdModelMultipleChoiceField(
        queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple, label="Placement sets")
    placement_adsets = IdModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Placements of this campaign's ad sets")
    creative_templates = IdModelMultipleChoiceField(
        queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple, label="Creative sets (every creative of the set)")
    creatives = IdModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="This campaign's creatives")
    split_by = forms.ChoiceField(choices=SPLIT_CHOICES, required=False, label="Campaigns")
    campaign_pattern = forms.CharField(max_length=PATTERN_MAX, initial=DEFAULT_PATTERNS[
        "campaign"], label="Campaign names")
    adset_pattern = forms.CharField(max_length=PATTERN_MAX, initial=DEFAULT_PATTERNS["adset"],
                                    label="Ad set names")
    ad_pattern = forms.CharField(max_length=PATTERN_MAX, initial=DEFAULT_PATTERNS["ad"],
                                 label="Ad names",
                                 help_text="Tokens: {campaign} {audience} {placement} "
                                           "{creative} {n} {date}")

    def __init__(self, *args, campaign, **kw):
        super().__init__(*args, **kw)
        templates = LaunchTemplate.objects.all()
        self.fields["audience_templates"].queryset = templates.filter(kind=TemplateKind.AUDIENCE)
        self.fields["placement_templates"].queryset = templates.filter(
            kind=TemplateKind.PLACEMENTS)
        self.fields["creative_templates"].queryset = templates.filter(
            kind=TemplateKind.CREATIVES)
        adsets = campaign.adsets.exclude(status="DELETED").order_by("pk")
        self.fields["audience_adsets"].queryset = adsets
        self.fields["placement_adsets"].queryset = adsets
        self.fields["creatives"].queryset = campaign.creatives.order_by("pk")

    def choice(self) -> VariantInput:
        d = self.cleaned_data
        return VariantInput(
            audiences=[{"template_id": t.pk} for t in d["audience_templates"]]
            + [{"adset_id": a.pk} for a in d["audience_adsets"]],
            placements=[{"template_id": t.pk} for t in d["placement_templates"]]
            + [{"adset_id": a.pk} for a in d["placement_adsets"]],
            creatives=[{"template_id": t.pk} for t in d["creative_templates"]]
            + [{"creative_id": c.pk} for c in d["creatives"]],
            split_by=d.get("split_by") or "", campaign_pattern=d["campaign_pattern"],
            adset_pattern=d["adset_pattern"], ad_pattern=d["ad_pattern"])


class CsvUploadForm(forms.Form):
    file = forms.FileField(label="CSV file (one row per ad)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // 1048576} MB.")
        return upload
