from .rules import Rule, V

MATRIX = {
    "backoffice:pipeline_board": Rule(V),
    "backoffice:pipeline_list": Rule(V),
    "backoffice:pipeline_export": Rule(V),
}
