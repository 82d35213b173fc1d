from django import template

from portal.insights.charts import chart_id, render_chart

register = template.Library()


@register.simple_tag
def insight_chart(table, suffix="", against=None):
    """``{% insight_chart table "compared" other_table %}``: the table's chart as inline SVG
    (or nothing); with ``against``, on the same scale as that table's chart."""
    return render_chart(table, suffix, against or None)


@register.simple_tag
def figure_id(table, suffix=""):
    """``{% figure_id table suffix as fid %}``: an id for the figure, unique on the page."""
    return chart_id(table, suffix)
