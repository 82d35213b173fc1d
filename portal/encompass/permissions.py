"""Operation Encompass permission names, for views and selectors. Which roles hold them is
listed in portal/accounts/roles.py."""

VIEW = "encompass.view_notifiedchild"
ACKNOWLEDGE = "encompass.acknowledge_notifiedchild"
SUBMIT = "encompass.submit_notification"
DASHBOARD = "encompass.view_encompass_dashboard"
