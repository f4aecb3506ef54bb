"""A stand-in for Blender's UILayout that records what the add-on's draw functions draw. bpy-free:
the bpy module tests and the drivers inside real Blender use the same one."""


class Recorder:
    """A stand-in for a UILayout: records labels and operators drawn."""

    def __init__(self, log=None):
        self.log = [] if log is None else log

    def __getattr__(self, name):
        if name in ("row", "column", "box", "split"):
            return lambda *a, **k: Recorder(self.log)
        if name == "operator":
            def op(idname, **kw):
                self.log.append(("op", idname, kw.get("text")))
                return Recorder(self.log)
            return op
        if name in ("label", "prop", "separator", "progress"):
            return lambda *a, **kw: self.log.append((name, kw.get("text"), a[1] if len(a) > 1
                                                     else None))
        raise AttributeError(name)

    def ops(self):
        return [e[1] for e in self.log if e[0] == "op"]

    def texts(self):
        return " | ".join(str(e[1]) for e in self.log if e[0] == "label")
