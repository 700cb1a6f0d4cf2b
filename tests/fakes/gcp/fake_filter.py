"""The `filter` query parameter of Compute Engine list methods, as the fake understands it.

The documented grammar (compute/docs/reference/rest/v1/instances/list, `filter`):
  - a comparison is `FIELD OP VALUE`, OP one of `=`, `!=`, `>`, `<`, `:` (has), `eq`, `ne`;
  - `eq` and `ne` take a regular expression (RE2) that must match the whole field;
  - several comparisons in parentheses are ANDed: `(a = 1) (b = 2)`; `AND`, `OR` and `NOT`
    may be written out (OR binds looser than AND);
  - FIELD is a dotted path into the resource: `name`, `status`, `labels.team`,
    `scheduling.provisioningModel`, `operationType`, `targetLink`;
  - VALUE is a bare word or a single- or double-quoted string.
`parse(text)` returns a predicate over a resource dict; a malformed filter raises FilterError
(the fake answers it with 400 invalid, as Compute does).
"""

import re


class FilterError(ValueError):
    pass


_OPS = ("!=", "=", ">", "<", ":")


def _tokens(text):
    i, n = 0, len(text)
    out = []
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append(c)
            i += 1
        elif c in "\"'":
            j = i + 1
            buf = []
            while j < n and text[j] != c:
                if text[j] == "\\" and j + 1 < n:
                    buf.append(text[j:j + 2])  # keep escapes for the regex
                    j += 2
                    continue
                buf.append(text[j])
                j += 1
            if j >= n:
                raise FilterError("unterminated string in filter")
            out.append(("str", "".join(buf)))
            i = j + 1
        elif text.startswith("!=", i):
            out.append(("op", "!="))
            i += 2
        elif c in "=<>:":
            out.append(("op", c))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in "()=!<>:\"'":
                j += 1
            if j == i:
                raise FilterError("unexpected character %r in filter" % c)
            out.append(("word", text[i:j]))
            i = j
    return out


def _field(resource, path):
    value = resource
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _compare(field, op, literal):
    def test(resource):
        value = _field(resource, field)
        if op == ":":
            if literal == "*":
                return value is not None
            return value is not None and literal in _text(value)
        if value is None:
            return op in ("!=", "ne")
        text = _text(value)
        if op == "=":
            return text == literal
        if op == "!=":
            return text != literal
        if op == ">":
            return text > literal
        if op == "<":
            return text < literal
        try:
            matched = re.fullmatch(literal, text) is not None
        except re.error as e:
            raise FilterError("invalid regular expression %r: %s" % (literal, e))
        return matched if op == "eq" else not matched
    return test


class _Parser:
    def __init__(self, tokens):
        self.toks = tokens
        self.pos = 0

    def peek(self):
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self):
        tok = self.peek()
        self.pos += 1
        return tok

    def is_word(self, tok, *words):
        return isinstance(tok, tuple) and tok[0] == "word" and tok[1].upper() in words

    def expr(self):
        parts = [self.conj()]
        while self.is_word(self.peek(), "OR"):
            self.take()
            parts.append(self.conj())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def conj(self):
        parts = [self.term()]
        while True:
            tok = self.peek()
            if tok is None or tok == ")" or self.is_word(tok, "OR"):
                break
            if self.is_word(tok, "AND"):
                self.take()
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def term(self):
        tok = self.take()
        if tok == "(":
            inner = self.expr()
            if self.take() != ")":
                raise FilterError("missing ')' in filter")
            return inner
        if self.is_word(tok, "NOT"):
            inner = self.term()
            return lambda r: not inner(r)
        if not (isinstance(tok, tuple) and tok[0] == "word"):
            raise FilterError("expected a field name in filter, got %r" % (tok,))
        field = tok[1]
        op_tok = self.take()
        if isinstance(op_tok, tuple) and op_tok[0] == "op":
            op = op_tok[1]
        elif isinstance(op_tok, tuple) and op_tok[0] == "word" and op_tok[1] in ("eq", "ne"):
            op = op_tok[1]
        else:
            raise FilterError("expected an operator after %r in filter" % field)
        value = self.take()
        if not (isinstance(value, tuple) and value[0] in ("word", "str")):
            raise FilterError("expected a value after %r %s in filter" % (field, op))
        literal = value[1]
        if op not in ("eq", "ne"):
            literal = literal.replace("\\\"", "\"").replace("\\'", "'")
        return _compare(field, op, literal)


def parse(text):
    """A predicate over resource dicts; `text` empty or None matches everything."""
    if not text or not text.strip():
        return lambda r: True
    parser = _Parser(_tokens(text))
    pred = parser.expr()
    if parser.peek() is not None:
        raise FilterError("unexpected %r in filter" % (parser.peek(),))
    return pred
