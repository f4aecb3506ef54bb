"""A stand-in for Blender's UILayout that records what the add-on's draw functions draw. bpy-free:
the bpy module tests and the drivers inside real Blender use the same one.

Inside Blender (bpy importable) every call is also checked against that version's UILayout, since
module mode has no window to draw a real panel in: a method the version lacks is missing here too
(hasattr() sees what the real layout would), and an unknown keyword, icon or enum value, a wrong
type, an operator not registered or a property the data lacks fail the test, as they would raise
in a real panel."""

try:
    import bpy
except ImportError:  # the pure-Python tests: record only
    bpy = None

_CONTAINERS = ("row", "column", "box", "split")
_RECORDED = ("label", "prop", "separator", "progress")
_PY_TYPES = {"STRING": str, "BOOLEAN": bool, "INT": int, "FLOAT": (int, float), "ENUM": str}


def _available(name):
    return bpy is None or name in bpy.types.UILayout.bl_rna.functions


def _check(name, args, kw):
    if bpy is None:
        return
    where = "UILayout.%s in Blender %s" % (name, bpy.app.version_string)
    params = [p for p in bpy.types.UILayout.bl_rna.functions[name].parameters if not p.is_output]
    assert len(args) <= len(params), "%s: too many arguments %r" % (where, args)
    given = dict(zip((p.identifier for p in params), args))
    for key in kw:
        assert key not in given, "%s: %s given twice" % (where, key)
    given.update(kw)
    by_name = {p.identifier: p for p in params}
    for key, value in given.items():
        p = by_name.get(key)
        assert p is not None, "%s has no parameter %r" % (where, key)
        want = _PY_TYPES.get(p.type)
        assert want is None or isinstance(value, want), "%s: %s=%r" % (where, key, value)
        if p.type == "ENUM":
            known = {i.identifier for i in p.enum_items}
            assert value in known, "%s: %s=%r is not one of its values" % (where, key, value)
    for p in params:
        assert not p.is_required or p.identifier in given, "%s: %s missing" % (where, p.identifier)
    if name == "operator":
        group, _, op = given["operator"].partition(".")
        try:
            getattr(getattr(bpy.ops, group), op).get_rna_type()
        except (KeyError, AttributeError):
            raise AssertionError("%s: operator %s is not registered" % (where, given["operator"]))
    if name == "prop":
        data = given["data"]
        assert given["property"] in data.bl_rna.properties, \
            "%s: %s has no property %r" % (where, type(data).__name__, given["property"])


class Recorder:
    """A stand-in for a UILayout: records labels and operators drawn."""

    def __init__(self, log=None):
        self.log = [] if log is None else log

    def __getattr__(self, name):
        if name not in _CONTAINERS + _RECORDED + ("operator",) or not _available(name):
            raise AttributeError(name)

        def call(*a, **kw):
            _check(name, a, kw)
            if name in _CONTAINERS:
                return Recorder(self.log)
            if name == "operator":
                self.log.append(("op", a[0] if a else kw["operator"], kw.get("text")))
                return Recorder(self.log)
            self.log.append((name, kw.get("text"), a[1] if len(a) > 1 else None))
        return call

    def ops(self):
        return [e[1] for e in self.log if e[0] == "op"]

    def texts(self):
        return " | ".join(str(e[1]) for e in self.log if e[0] == "label")
