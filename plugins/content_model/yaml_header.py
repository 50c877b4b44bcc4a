"""Split a Markdown file's YAML header and load YAML strictly (no silent surprises)."""

from __future__ import annotations

import re

import yaml


class YamlError(ValueError):
    """The YAML cannot be read; the message gives the line and what is wrong."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text (fields.py parses them) and rejects duplicate keys."""


# libyaml's parser is several times faster; the pure-Python one words errors better.
class _FastStrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same rules on libyaml's parser, for files that have no errors."""


# Every plain value is text, as the editor wrote it: YAML 1.1 would read `12:30` as 750,
# `yes` as True and `2016-13-45` as a crash inside the library. The field parsers in
# fields.py turn text into dates, numbers and yes/no, with messages naming the field.
# Only `~`, `null` and an empty value stay null (an empty field is a field left out).
_StrictLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:merge")]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.yaml_implicit_resolvers = {ch: r for ch, r in _StrictLoader.yaml_implicit_resolvers.items() if r}
# Explicit tags that would turn text into something else (`!!binary` into b'…').
_REFUSED_TAGS = ("binary", "bool", "int", "float", "timestamp", "set", "omap", "pairs", "value")


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        seen[key] = True
    return loader.construct_mapping(node, deep=deep)


def _refuse_tag(loader: _StrictLoader, node: yaml.Node) -> None:
    raise yaml.constructor.ConstructorError(
        None, None, f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed; write the value "
        "as plain text", node.start_mark)


_FastStrictLoader.yaml_implicit_resolvers = _StrictLoader.yaml_implicit_resolvers
for _loader in (_StrictLoader, _FastStrictLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    for _tag in _REFUSED_TAGS:
        _loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)


# What to do about the YAML mistakes editors make most.
_HINTS = {
    "mapping values are not allowed here": "; a value that contains ': ' must be quoted: title: '关于: …'",
    "found character '\\t' that cannot start any token": "; indent with spaces, not tabs",
    "found unexpected end of stream": "; a quote was opened and not closed",
    "found undefined alias": "; a value that starts with * must be quoted",
    "expected <block end>, but found '<scalar>'": "; a value that starts with a quote must end with it, "
                                                  "or quote the whole value",
}


def load_yaml(text: str, line_offset: int = 0) -> object:
    """Load YAML text; raise YamlError naming the line (shifted by line_offset)."""
    try:
        return yaml.load(text, Loader=_FastStrictLoader)
    except yaml.YAMLError:
        pass  # parse again for the message: libyaml's are terser
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1 + line_offset}: " if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc)
        raise YamlError(f"malformed YAML at {where}{what}{_HINTS.get(what, '')}") from None


_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


def split_header(text: str) -> tuple[str, str, int]:
    """Return (yaml_header, markdown_body, body's first line number); raise YamlError if no header."""
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        raise YamlError("missing YAML header: the file must start with a line '---'")
    first = _FENCE.match(text)
    second = _FENCE.search(text, first.end()) if first else None
    if not first or not second:
        raise YamlError("unclosed YAML header: end it with a line '---'")
    header = text[first.end():second.start()]
    rest = text[second.end():]
    body = rest.lstrip("\n")
    return header, body, text[: second.end()].count("\n") + 1 + (len(rest) - len(body))
