"""Early help assessment permission names, for views and the admin, and the object-level
checks (implemented with the scoping queries in :mod:`eh_assessments.selectors`, re-exported
here so a view can ask ``permissions.can_edit(user, assessment)``). Which roles hold the
permissions is listed in portal/accounts/roles.py.

A permission says what kind of thing a role may do; the object-level checks say to which
assessments. Both are needed: holding ``change_assessment`` does not open someone else's draft.
"""

from .selectors import (  # re-exported
    ASSESSMENT_ROLES,
    can_edit,
    can_start,
    can_start_for_school,
    can_view,
)

ADD = "eh_assessments.add_assessment"
VIEW = "eh_assessments.view_assessment"
CHANGE = "eh_assessments.change_assessment"
VIEW_TEAM = "eh_assessments.view_team_assessments"
MANAGE_THRESHOLDS = "eh_assessments.manage_thresholds"

# The threshold document's snippet permissions in the Wagtail admin (early help managers).
THRESHOLD_SNIPPET = (
    "eh_assessments.add_thresholddocument",
    "eh_assessments.change_thresholddocument",
    "eh_assessments.view_thresholddocument",
)

__all__ = [
    "ADD",
    "ASSESSMENT_ROLES",
    "CHANGE",
    "MANAGE_THRESHOLDS",
    "THRESHOLD_SNIPPET",
    "VIEW",
    "VIEW_TEAM",
    "can_edit",
    "can_start",
    "can_start_for_school",
    "can_view",
]
