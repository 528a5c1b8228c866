"""The project's URLs plus a page with the territory fields, for the browser tests of the widget."""

from django import forms
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.urls import path

from fabrique.territories.forms import CommuneChoiceField, TerritoryMultipleChoiceField
from fabrique.urls import urlpatterns as project_urlpatterns


class DemoForm(forms.Form):
    commune = CommuneChoiceField(label="Commune")
    coverage = TerritoryMultipleChoiceField(label="Territoire couvert", required=False)


PAGE = Template(
    """{% extends "base.html" %}
{% block head %}{{ form.media.css }}{% endblock %}
{% block content %}<h1>Champs territoire</h1>
<form method="post" class="card" novalidate>{% csrf_token %}{% include "includes/form.html" %}
<button type="submit" class="button primary">Envoyer</button></form>
{% if result %}<p id="result">{{ result }}</p>{% endif %}{% endblock %}
{% block scripts %}{{ form.media.js }}{% endblock %}"""
)


def demo(request):
    form = DemoForm(request.POST or None)
    result = ""
    if request.method == "POST" and form.is_valid():
        coverage = ", ".join(t.name for t in form.cleaned_data["coverage"])
        result = f"{form.cleaned_data['commune'].name} | {coverage}"
    return HttpResponse(PAGE.render(RequestContext(request, {"form": form, "result": result})))


urlpatterns = [path("essai-territoires/", demo), *project_urlpatterns]
