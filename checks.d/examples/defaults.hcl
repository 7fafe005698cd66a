# defaults: a defaults block applies to every check in its folder and the
# folders below it -- here checks.d/examples and checks.d/examples/team-web --
# unless the check, its template or a nearer defaults block sets the
# attribute. A folder has at most one defaults block, in any of its files.
#
# tags merge instead of being replaced, so every example check carries
# pack = "examples" next to its own tags.

defaults {
  timeout = "30s"
  tags    = { pack = "examples" }
}
