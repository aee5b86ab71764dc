"""PostgreSQL COPY for the benchmark loaders (problems.py, standards.py): rows are written in
chunks as COPY text format."""

CHUNK = 50_000


def tsv(value) -> str:
    """One COPY text-format field."""
    if value is None:
        return r"\N"
    text = str(value)
    for raw, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(raw, escaped)
    return text


def copy_lines(cursor, statement: str, lines, *, chunk: int = CHUNK) -> int:
    """COPY lines (already tab-separated, each ending in a newline); returns how many."""
    count = 0
    with cursor.copy(statement) as copy:
        buffer = []
        for line in lines:
            buffer.append(line)
            count += 1
            if len(buffer) >= chunk:
                copy.write("".join(buffer))
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))
    return count


def copy_rows(cursor, statement: str, rows, *, chunk: int = CHUNK) -> int:
    """COPY rows (tuples of values); returns how many."""
    lines = ("\t".join(tsv(value) for value in row) + "\n" for row in rows)
    return copy_lines(cursor, statement, lines, chunk=chunk)
