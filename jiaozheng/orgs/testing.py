"""Access-matrix factories for accounts: a staff account posted at the given place."""

from jiaozheng.core.testing.matrix import object_factory


@object_factory("orgs.User")
def make_staff(world, where):
    if where == "subject":
        return None
    return {"A": world.social_worker, "B": world.social_worker_b, "Y": world.bureau_officer_y}[where]


@object_factory("orgs.OrgUnit")
def make_unit(world, where):
    if where == "subject":
        return None
    return world.squadron(where)
