from .rules import Rule, V

MATRIX = {
    # one query per column kind (needs, studies, projects, calls, applications) plus the filters' choices
    "backoffice:pipeline_board": Rule(V, queries=30),
    "backoffice:pipeline_list": Rule(V),
    "backoffice:pipeline_export": Rule(V),
}
