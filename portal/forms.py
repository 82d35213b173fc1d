from django.forms.renderers import TemplatesSetting


class GovUKFormRenderer(TemplatesSetting):
    pass
