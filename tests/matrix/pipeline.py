from .rules import Rule, V

MATRIX = {
    # fixed, not per row: the six columns' 30 cards (and the studies' needs), one grouped count per kind
    # of item for the columns' totals (3), the committee queue (3 kinds of 30 and the agenda), the
    # deadlines, the filters' choices
    "backoffice:pipeline_board": Rule(V, queries=33),
    "backoffice:pipeline_list": Rule(V),
    "backoffice:pipeline_export": Rule(V),
}
