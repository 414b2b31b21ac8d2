"""Find legal citations in free text: 《…》第N条第M款第K项 in the forms reviewers actually write.

Pure text, no database: the check (:mod:`review_service.laws.check`) resolves what this finds. Offsets are
those of the input string (width folding is done character for character, so it never shifts them).

A citation that lists several provisions (``第五十七条、第五十八条``; ``第三十二条第一款第（一）项、第（二）项``)
yields one :class:`Citation` per provision: the first one's span runs from the law's name, the next ones'
spans cover only their own ``第…`` piece, so spans never overlap and can be highlighted one by one. A later
piece inherits what it leaves out (``第（二）项`` above is article 32, paragraph 1, item 2).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import cn2an


@dataclass(frozen=True)
class Citation:
    """One cited provision (or a law cited as a whole when ``article`` is None)."""

    text: str  # the citation as written
    start: int  # offsets in the input
    end: int
    law: str  # the law's name as written, without 《》 (e.g. "行政处罚法")
    article: int | None  # 第N条; None when only the law is cited
    paragraph: int | None  # 第M款
    item: int | None  # 第K项
    article_suffix: int | None = None  # 第二十一条之一 → article 21, suffix 1
    edition: str | None = None  # 《…》（2021年修订） → "2021年修订"


_NUM = r"[0-9零〇一二三四五六七八九十百千两]+"
_ARTICLE = rf"第\s*(?P<art>{_NUM})\s*条(?:\s*之\s*(?P<suffix>{_NUM}))?"
_PARAGRAPH = rf"第\s*(?P<para>{_NUM})\s*款"
_ITEM = rf"第\s*[（(]?\s*(?P<item>{_NUM})\s*[）)]?\s*项"
_PIECE = re.compile(rf"(?:{_ARTICLE})?\s*(?:{_PARAGRAPH})?\s*(?:{_ITEM})?")
_SEPARATOR = re.compile(r"\s*(?:、|，|,|以及|或者|和|及|与|或|至|到)\s*")
_EDITION = re.compile(r"\s*[（(]\s*([^（()）]{0,20}?(?:修订|修正|修改|版|公布|施行)[^（()）]{0,10}?)\s*[）)]")
_BRACKETED = re.compile(r"《([^《》\n]{1,80})》")
_SUFFIXES = ("法", "条例", "规定", "办法", "细则", "决定")
_BARE_END = re.compile(rf"(?:法|条例|规定|办法|细则|决定)(?=\s*(?:[（(][^（()）]{{0,20}}[）)])?\s*第\s*{_NUM}\s*条)")
_PROVISION = re.compile(rf"第{_NUM}[条款项](?:之{_NUM})?")
_HAN = re.compile(r"[\u3400-\u9fff]")
# Words that come before a law's name in running text ("依据行政处罚法…", "当事人违反大气污染防治法…").
_LEAD_WORDS = ("根据", "依据", "依照", "按照", "遵照", "违反了", "违反", "适用", "参照", "对照", "不符合", "符合",
               "属于", "以及", "或者", "并且", "讨论了", "删去", "修改", "构成", "即", "是")
# Single characters that begin no law's name but often stand before one (将刑法第…, 在刑法第…); not 对 (对外贸易法)
# nor 经 (经济合同法).
_LEAD_CHARS = "依据按照由和及与或并且之将在把从向以因除但其有为了后又"
_SELF_REFERENCES = ("本法", "本法典", "本条例", "本规定", "本办法", "本细则", "本决定")
_BACK_REFERENCES = {"同法", "该法", "上述法", "前述法", "同条例", "该条例", "同办法", "该办法", "该规定", "同规定",
                    "该细则", "同细则", "该决定"}
_NOT_NAMES = {"违法", "依法", "合法", "非法", "执法", "立法", "方法", "做法", "说法", "守法", "犯法", "司法",
              "办法", "规定", "决定", "细则", "条例", "变法", "宪法典"}
_SELF_PREFIXES = ("本", "此", "有关", "相关", "其他", "以上", "上列", "下列", "前款", "前条", "各")
# A bracketed title with no article counts as a law only when it reads like one (not 《行政处罚决定书》).
_LAW_LIKE_END = re.compile(r"(?:法|法典|条例|规定|办法|细则|决定|规则|解释|基准|标准|意见|准则|章程)"
                           r"(?:[（(](?:试行|暂行|草案)[）)])?$")


def _fold(text: str) -> str:
    """Full width to half width, one character for one (so offsets are kept)."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def law_key(name: str) -> str:
    """The normalized name used to compare laws: no 《》, no 中华人民共和国 prefix, no spaces, widths folded.

    A trailing edition note (（2021年修订）) is dropped too; （试行） is part of a name and stays.
    """
    key = re.sub(r"[\s《》<>〈〉\"'“”]+", "", _fold(name))
    key = re.sub(r"\((?:\d{4}年)?[^()]{0,12}(?:修订|修正|修改|版)\)$", "", key)
    if key.startswith("中华人民共和国"):
        key = key[len("中华人民共和国"):]
    return key


def chinese_number(number: int) -> str:
    """An article's, 款's or 项's number as the law writes it: 九百, 一百一十, 十."""
    return str(cn2an.an2cn(number, "low"))


def article_label(article: int, suffix: int | None = None) -> str:
    """第四十九条, 第二十一条之一: an article as the law names it."""
    return f"第{chinese_number(article)}条" + (f"之{chinese_number(suffix)}" if suffix else "")


def _number(written: str | None) -> int | None:
    if not written:
        return None
    return int(cn2an.cn2an(written, "smart"))


@dataclass
class _Anchor:
    start: int  # where the citation's text begins
    end: int  # just after the law's name (and its 》)
    law: str | None  # None: a back reference (同法) to the previous law
    bracketed: bool


def _bare_name(folded: str, end: int, floor: int) -> tuple[int, str] | None:
    """Walk back from a name's last character to where the name starts, or None if it is not a law's name."""
    start = end
    while start > floor and end - start < 40 and _HAN.match(folded[start - 1]):
        start -= 1
    run = folded[start:end]
    provisions = list(_PROVISION.finditer(run))  # "…第十八条和该法": the name starts after the provision
    if provisions:
        start, run = start + provisions[-1].end(), run[provisions[-1].end():]
    if "中华人民共和国" in run:
        cut = run.rfind("中华人民共和国")
    else:
        cut = max((run.rfind(w) + len(w) for w in _LEAD_WORDS if w in run[:-1]), default=0)
        if "的" in run[cut:-1] and "关于" not in run[cut:]:
            cut = run.rfind("的", cut, len(run) - 1) + 1
        while cut < len(run) - 1 and run[cut] in _LEAD_CHARS and run[cut:] not in _BACK_REFERENCES:
            cut += 1
    name = run[cut:]
    if name in _BACK_REFERENCES:
        return start + cut, name
    if (name in _NOT_NAMES or len(name) < 2 or name.startswith(_SELF_PREFIXES) or name.startswith("第")
            or name.endswith(_SELF_REFERENCES)):
        return None
    return start + cut, name


def _anchors(text: str, folded: str) -> list[_Anchor]:
    anchors = [_Anchor(m.start(), m.end(), text[m.start(1):m.end(1)].strip(), True)
               for m in _BRACKETED.finditer(folded)]
    inside = [(a.start, a.end) for a in anchors]
    for m in _BARE_END.finditer(folded):
        end = m.end()
        if any(s <= m.start() < e for s, e in inside):
            continue
        floor = max((e for s, e in inside if e <= m.start()), default=0)
        found = _bare_name(folded, end, floor)
        if found is None:
            continue
        start, name = found
        anchors.append(_Anchor(start, end, None if name in _BACK_REFERENCES else text[start:end], False))
    return sorted(anchors, key=lambda a: a.start)


def _pieces(folded: str, pos: int) -> list[tuple[re.Match[str], str]]:
    """The ``第…`` pieces following ``pos``, each with the separator before it ("" for the first)."""
    pieces: list[tuple[re.Match[str], str]] = []
    separator = ""
    while True:
        m = _PIECE.match(folded, pos)
        if m is None or m.end() == m.start() or not any(m.group(g) for g in ("art", "para", "item")):
            return pieces
        if not pieces and not m.group("art"):
            return pieces
        pieces.append((m, separator))
        sep = _SEPARATOR.match(folded, m.end())
        if sep is None:
            return pieces
        separator = sep.group().strip()
        pos = sep.end()


def parse_citations(text: str) -> list[Citation]:
    """Every citation in ``text``, in order of appearance (see the module docstring for the forms)."""
    folded = _fold(text)
    citations: list[Citation] = []
    last_law: str | None = None
    consumed = 0
    for anchor in _anchors(text, folded):
        if anchor.start < consumed:
            continue
        law = anchor.law if anchor.law is not None else last_law
        if law is None:
            continue
        pos = anchor.end
        edition = None
        ed = _EDITION.match(folded, pos)
        if ed is not None:
            edition, pos = text[ed.start(1):ed.end(1)], ed.end()
        while pos < len(folded) and folded[pos] == " ":
            pos += 1
        pieces = _pieces(folded, pos)
        if not pieces:
            if anchor.bracketed and _LAW_LIKE_END.search(law_key(law)):
                end = ed.end() if ed is not None else anchor.end
                citations.append(Citation(text[anchor.start:end], anchor.start, end, law, None, None, None,
                                          None, edition))
                last_law, consumed = law, end
            continue
        article = paragraph = suffix = None
        for index, (m, _separator) in enumerate(pieces):
            item = _number(m.group("item"))
            if m.group("art"):
                article, suffix = _number(m.group("art")), _number(m.group("suffix"))
                paragraph = _number(m.group("para"))
            elif m.group("para"):
                paragraph = _number(m.group("para"))
            start = anchor.start if index == 0 else m.start()
            end = m.end()
            while end > start and folded[end - 1].isspace():
                end -= 1
            citations.append(Citation(text[start:end], start, end, law, article, paragraph, item, suffix,
                                      edition))
            consumed = end
        last_law = law
    return citations
