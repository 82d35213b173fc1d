"""The casework pages (issue 7), mounted at /portal/assessments/cases/ (before the assessment
wizard's URLs). The case page stays at /portal/assessments/cases/<uuid>/: emails link there."""

from django.urls import path

from . import case_views as views

app_name = "casework"

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("overdue/", views.overdue, name="overdue"),
    path("overdue/<uuid:pk>/delay/", views.delay_reason, name="delay_reason"),
    path("sign-off/", views.sign_offs, name="sign_offs"),
    path("sign-off/<uuid:pk>/", views.sign_off, name="sign_off"),
    path("requests/", views.requests_to_decide, name="requests"),
    path("requests/<uuid:pk>/decide/", views.decide_request, name="decide_request"),
    path("assessment/<uuid:pk>/decide/", views.decide_assessment, name="decide_assessment"),
    path("decisions/<uuid:pk>/", views.decision_done, name="decision_done"),
    path("signposting/<uuid:pk>/print/", views.signposting_print, name="signposting_print"),
    path("<uuid:pk>/", views.case_detail, name="case"),
    path("<uuid:pk>/plan/", views.plan, name="plan"),
    path("<uuid:pk>/meetings/new/", views.schedule_meeting, name="schedule_meeting"),
    path("<uuid:pk>/meetings/<int:meeting>/held/", views.meeting_held, name="meeting_held"),
    path("<uuid:pk>/handover/", views.handover, name="handover"),
    path("<uuid:pk>/review/", views.review, name="review"),
    path("<uuid:pk>/scores/<slug:stage>/", views.scores, name="scores"),
    path("<uuid:pk>/close/", views.close, name="close"),
    path("<uuid:pk>/step-up/", views.step_up, name="step_up"),
    path("<uuid:pk>/reopen/", views.reopen, name="reopen"),
    path("<uuid:pk>/sustained-check/", views.sustained_check, name="sustained_check"),
    path("<uuid:pk>/supervision/", views.supervision, name="supervision"),
    path("<uuid:pk>/chronology/new/", views.chronology_entry, name="chronology_entry"),
]
