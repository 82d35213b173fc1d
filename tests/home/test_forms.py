"""The GOV.UK form renderer (portal.forms): {{ form }} and {{ field.as_field_group }}."""

import datetime

import pytest
from bs4 import BeautifulSoup

from django import forms

from portal.forms import GovUKDateInput, PlainSelect


class ReferralForm(forms.Form):
    name = forms.CharField(label="Full name")
    email = forms.EmailField(label="Email address", required=False, help_text="We only use this to reply")
    reason = forms.CharField(label="Why are you getting in touch?", widget=forms.Textarea)
    area = forms.ChoiceField(label="Area", choices=[("", "Choose an area"), ("north", "North"), ("west", "West")])
    contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=[("phone", "Phone"), ("email", "Email")],
        widget=forms.RadioSelect,
        help_text="Choose one",
    )
    needs = forms.MultipleChoiceField(
        label="What do you need help with?",
        choices=[("money", "Money"), ("housing", "Housing")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    agree = forms.BooleanField(label="I agree to share this information")
    born = forms.DateField(label="Date of birth", widget=GovUKDateInput, help_text="For example, 27 3 2012")
    password = forms.CharField(label="Password", widget=forms.PasswordInput)
    ref = forms.CharField(widget=forms.HiddenInput, required=False)


INVALID = {
    "name": "",
    "email": "not-an-email",
    "reason": "We need help",
    "area": "west",
    "needs": ["housing"],
    "born_day": "31",
    "born_month": "2",
    "born_year": "2015",
    "ref": "abc",
}


def render(form) -> BeautifulSoup:
    return BeautifulSoup(str(form), "html.parser")


def test_unbound_form_renders_govuk_inputs_labels_and_hints():
    page = render(ReferralForm())
    name = page.find("input", attrs={"name": "name"})
    assert name["class"] == ["govuk-input"] and name["id"] == "id_name"
    assert page.find("label", attrs={"for": "id_name"}).get_text(strip=True) == "Full name"
    assert page.find("label", attrs={"for": "id_email"}).get_text(strip=True) == "Email address (optional)"
    assert page.find("textarea")["class"] == ["govuk-textarea"]
    assert page.find("select")["class"] == ["govuk-select"]
    email = page.find("input", attrs={"name": "email"})
    assert email["aria-describedby"] == "id_email-hint"
    assert page.find(id="id_email-hint").get_text(strip=True) == "We only use this to reply"
    assert "aria-describedby" not in name.attrs
    assert not page.select(".govuk-form-group--error, .govuk-error-message")
    assert page.find("input", attrs={"name": "ref", "type": "hidden"})


def test_radios_checkboxes_and_dates_sit_in_a_fieldset_with_a_legend():
    page = render(ReferralForm())
    for name, legend, module in (
        ("contact", "How should we contact you?", "govuk-radios"),
        ("needs", "What do you need help with? (optional)", "govuk-checkboxes"),
    ):
        fieldset = page.find(attrs={"name": name}).find_parent("fieldset")
        assert fieldset.legend.get_text(strip=True) == legend
        assert fieldset.find(class_=module)["data-module"] == module
        first = fieldset.find("input")
        assert first["class"] == [f"{module}__input"]
        assert fieldset.find("label", attrs={"for": first["id"]})["class"] == ["govuk-label", f"{module}__label"]
    contact = page.find(attrs={"name": "contact"}).find_parent("fieldset")
    assert contact["aria-describedby"] == "id_contact-hint"

    date = page.find(class_="govuk-date-input").find_parent("fieldset")
    assert date["role"] == "group" and date["aria-describedby"] == "id_born-hint"
    labels = [label.get_text(strip=True) for label in date.select(".govuk-date-input__label")]
    assert labels == ["Day", "Month", "Year"]
    year = date.find("input", attrs={"name": "born_year"})
    assert "govuk-input--width-4" in year["class"] and year["inputmode"] == "numeric"


def test_single_checkbox_and_password_use_their_govuk_components():
    page = render(ReferralForm())
    agree = page.find("input", attrs={"name": "agree"})
    assert agree["class"] == ["govuk-checkboxes__input"] and agree["type"] == "checkbox"
    assert agree.find_parent(class_="govuk-checkboxes__item").label.get_text(strip=True) == (
        "I agree to share this information"
    )
    password = page.find("input", attrs={"name": "password"})
    assert "govuk-js-password-input-input" in password["class"] and password["spellcheck"] == "false"
    wrapper = password.find_parent(class_="govuk-password-input")
    assert wrapper["data-module"] == "govuk-password-input"
    assert wrapper.find("button")["aria-controls"] == "id_password"


def test_errors_show_govuk_error_messages_linked_by_aria_describedby():
    form = ReferralForm(data=INVALID)
    assert not form.is_valid()
    page = render(form)

    email = page.find("input", attrs={"name": "email"})
    assert email["class"] == ["govuk-input", "govuk-input--error"]
    assert email["aria-describedby"] == "id_email-hint id_email-error"
    error = page.find(id="id_email-error")
    assert "govuk-error-message" in error["class"]
    assert error.find(class_="govuk-visually-hidden").get_text() == "Error:"
    assert "Enter a valid email address." in error.get_text()
    assert "govuk-form-group--error" in email.find_parent(class_="govuk-form-group")["class"]

    name = page.find("input", attrs={"name": "name"})
    assert name["aria-describedby"] == "id_name-error" and "govuk-input--error" in name["class"]

    contact = page.find(attrs={"name": "contact"}).find_parent("fieldset")
    assert contact["aria-describedby"] == "id_contact-hint id_contact-error"
    assert page.find(id="id_contact-error")

    date = page.find(class_="govuk-date-input").find_parent("fieldset")
    assert date["aria-describedby"] == "id_born-hint id_born-error"
    assert all("govuk-input--error" in i["class"] for i in date.find_all("input"))

    agree = page.find("input", attrs={"name": "agree"})
    assert agree["aria-describedby"] == "id_agree-error"

    # Every id that aria-describedby names exists on the page.
    for node in page.find_all(attrs={"aria-describedby": True}):
        for ref in node["aria-describedby"].split():
            assert page.find(id=ref), ref
    # Fields without errors are not marked as in error.
    assert "govuk-textarea--error" not in page.find("textarea")["class"]


def test_what_the_user_typed_is_kept_after_an_error():
    page = render(ReferralForm(data=INVALID))
    assert page.find("input", attrs={"name": "email"})["value"] == "not-an-email"
    assert page.find("textarea").get_text(strip=True) == "We need help"
    assert page.find("option", attrs={"value": "west"}).has_attr("selected")
    assert page.find("input", attrs={"name": "needs", "value": "housing"}).has_attr("checked")
    assert not page.find("input", attrs={"name": "needs", "value": "money"}).has_attr("checked")
    typed = [page.find("input", attrs={"name": f"born_{part}"})["value"] for part in ("day", "month", "year")]
    assert typed == ["31", "2", "2015"]


def test_date_input_parses_a_valid_date_and_shows_an_initial_one():
    form = ReferralForm(data={**INVALID, "born_day": "7", "born_month": "3", "born_year": "2012"})
    form.is_valid()
    assert form.cleaned_data["born"] == datetime.date(2012, 3, 7)
    page = render(ReferralForm(initial={"born": datetime.date(2012, 3, 7)}))
    assert page.find("input", attrs={"name": "born_day"})["value"] == "7"
    assert page.find("input", attrs={"name": "born_year"})["value"] == "2012"


@pytest.mark.parametrize("year", ["", "12", "twenty"])
def test_date_input_rejects_an_incomplete_or_invalid_date(year):
    form = ReferralForm(data={**INVALID, "born_day": "7", "born_month": "3", "born_year": year})
    assert not form.is_valid()
    assert "born" in form.errors


def test_page_heading_field_puts_the_question_in_the_h1():
    class OneQuestion(forms.Form):
        govuk_page_heading = "postcode"
        postcode = forms.CharField(label="What is your postcode?")

    page = render(OneQuestion())
    heading = page.find("h1", class_="govuk-label-wrapper")
    assert heading.label.get_text(strip=True) == "What is your postcode?"
    assert "govuk-label--l" in heading.label["class"]


def test_as_field_group_renders_one_field():
    page = BeautifulSoup(ReferralForm()["name"].as_field_group(), "html.parser")
    assert page.select_one("div.govuk-form-group > label.govuk-label")["for"] == "id_name"
    assert len(page.find_all("input")) == 1


class LongListForm(forms.Form):
    service = forms.TypedChoiceField(
        label="Service",
        required=False,
        coerce=int,
        choices=[("", "Any service"), ("1", "Tom & Jerry's <club>"), ("2", "Refuge")],
        widget=PlainSelect,
    )


def test_a_plain_select_renders_like_a_govuk_select_and_keeps_the_choice():
    page = render(LongListForm(data={"service": "2"}))
    select = page.find("select")
    assert select["class"] == ["govuk-select"] and select["name"] == "service" and select["id"] == "id_service"
    options = select.find_all("option")
    assert [(o["value"], o.get_text()) for o in options] == [
        ("", "Any service"),
        ("1", "Tom & Jerry's <club>"),  # escaped in the markup, read back as typed
        ("2", "Refuge"),
    ]
    assert [o.has_attr("selected") for o in options] == [False, False, True]
    assert page.find("label", attrs={"for": "id_service"}).get_text(strip=True) == "Service (optional)"
    # Its options work wherever Django's do (a template that walks field.subwidgets).
    form = LongListForm(data={"service": "2"})
    assert [(w.data["value"], w.data["selected"]) for w in form["service"].subwidgets] == [
        ("", False),
        ("1", False),
        ("2", True),
    ]
