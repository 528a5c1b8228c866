from fabrique.workstreams.services import workstream_create


def make_workstream(fabrique, actor=None, **kwargs):
    kwargs.setdefault("name", "Alimentation durable")
    return workstream_create(fabrique=fabrique, actor=actor, **kwargs)
