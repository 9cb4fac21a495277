"""ugwgen: the ugw code generator, in four steps.

    load    schema text -> raw tables with line numbers   (load.py)
    check   raw tables -> list of `file:line: message`    (check.py)
    model   checked tables -> names, sizes, literals       (model.py)
    render  model -> generated files, through jinja2       (render.py)

Templates only print what the model computed; they never derive names or sizes.
"""

VERSION = "0.1.0"
