"""The Simplified Chinese catalogues: complete, compiled, in step with the source, and
used: a creator who chose 简体中文 gets our admin screens in Chinese, a reader whose
browser asks for Chinese gets the reader site's chrome in Chinese.

The catalogue checks need no GNU gettext: the .po files are read with Babel (already
a dependency), the .mo files with the standard library, and the source strings are
found the way `makemessages` finds them (Python calls of the gettext functions, and
Django's own `templatize` for templates). When one fails, refresh the catalogue as the
docs/languages.md says.
"""

import ast
import gettext
import io
import os
import re
from pathlib import Path

import pytest
import wagtail
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from django.urls import reverse
from django.utils.translation.template import templatize
from wagtail.users.models import UserProfile

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# Each app of ours and the folder `makemessages` runs in for it.
APPS = {
    "products": ROOT / "products",
    "affiliates": ROOT / "affiliates",
    "content": ROOT / "content",
    "zhongcao": ROOT / "site" / "zhongcao",
}
LANGUAGE = "zh_Hans"
REFRESH = (
    "Refresh it: cd {folder} && python {manage} makemessages -l zh_Hans, translate "
    "every new entry in locale/zh_Hans/LC_MESSAGES/django.po, then python {manage} "
    "compilemessages --ignore=.venv (needs GNU gettext)."
)

# The keywords `makemessages` gives xgettext for Python files (plus xgettext's own).
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
LITERAL = r"""u?'(?:[^'\\]|\\.)*'|u?"(?:[^"\\]|\\.)*\""""
# templatize() turns {% translate %} and {% blocktranslate %} into these calls.
TEMPLATE_CALL = re.compile(
    r"\b(npgettext|ngettext|pgettext|gettext|_)\(\s*((?:(?:" + LITERAL + r")\s*,?\s*)+)"
)
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%|\{[a-z_|]+\}")


def po_path(app: str) -> Path:
    return APPS[app] / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"


def catalogue(app: str):
    with po_path(app).open("rb") as file:
        return read_po(file, locale=LANGUAGE)


def key_of(context: str | None, message) -> tuple:
    """(context, msgid) or (context, msgid, msgid_plural)."""
    message = message if isinstance(message, tuple) else (message,)
    return (context or None, *message)


def source_messages(folder: Path) -> dict[tuple, str]:
    """Every translatable string of the app in ``folder`` as `makemessages` would
    collect it, with the first place it occurs."""
    found: dict[tuple, str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if "locale" in relative.parts or any(
            part.startswith(".") for part in relative.parts
        ):
            continue
        where = str(relative)
        if path.suffix == ".py":
            for line, message, _comments, context in extract(
                "python", io.BytesIO(path.read_bytes()), keywords=KEYWORDS
            ):
                found.setdefault(key_of(context, message), f"{where}:{line}")
        elif path.suffix in {".html", ".txt"}:
            python = templatize(path.read_text(encoding="utf-8"), origin=str(path))
            for call in TEMPLATE_CALL.finditer(python):
                name = call.group(1)
                args = [
                    ast.literal_eval(arg) for arg in re.findall(LITERAL, call.group(2))
                ]
                context = (
                    args.pop(0) if name.startswith(("pgettext", "npgettext")) else None
                )
                message = tuple(args[:2]) if "ngettext" in name else args[0]
                found.setdefault(key_of(context, message), where)
    return found


@pytest.mark.parametrize("app", APPS)
def test_catalogue_has_every_source_string_and_no_stale_one(app):
    folder = APPS[app]
    in_source = source_messages(folder)
    in_catalogue = {key_of(m.context, m.id) for m in catalogue(app) if m.id}
    missing = sorted(set(in_source) - in_catalogue, key=str)
    stale = sorted(in_catalogue - set(in_source), key=str)
    report = [f"{app}: the zh_Hans catalogue is out of date with the source."]
    report += [f"  missing {key!r} (from {in_source[key]})" for key in missing]
    report += [f"  no longer in the source {key!r}" for key in stale]
    manage = os.path.relpath(ROOT / "manage.py", folder)
    report.append(REFRESH.format(folder=folder.relative_to(ROOT), manage=manage))
    assert not missing and not stale, "\n".join(report)


@pytest.mark.parametrize("app", APPS)
def test_catalogue_is_fully_translated_and_keeps_the_placeholders(app):
    messages = catalogue(app)
    assert messages.plural_forms == "nplurals=1; plural=0;"
    problems = []
    for message in messages:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = (
            message.string if isinstance(message.string, tuple) else (message.string,)
        )
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    assert not messages.obsolete, f"{app}: obsolete entries: {list(messages.obsolete)}"
    assert not problems, f"{app}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("app", APPS)
def test_compiled_catalogue_matches_the_po_file(app):
    """The committed .mo (what Django reads) says what the .po says."""
    with po_path(app).with_suffix(".mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    differences = []
    for message in catalogue(app):
        if not message.id:
            continue
        prefix = f"{message.context}\x04" if message.context else ""
        if isinstance(message.id, tuple):
            got = compiled.ngettext(prefix + message.id[0], message.id[1], 1)
            wanted = message.string[0]
        else:
            got, wanted = compiled.gettext(prefix + message.id), message.string
        if got != wanted:
            differences.append(f"{message.id!r}: .mo has {got!r}, .po has {wanted!r}")
    assert not differences, (
        f"{app}: recompile the catalogue (manage.py compilemessages):\n  "
        + "\n  ".join(differences)
    )


# -- In use -----------------------------------------------------------------------


def prefer_chinese(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "zh-hans"
    profile.save()


@pytest.mark.django_db
def test_creator_who_chose_chinese_gets_the_dashboard_and_earnings_in_chinese(
    client, creator
):
    prefer_chinese(creator.user)
    client.force_login(creator.user)

    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "你的点击与收益" in dashboard
    assert "每日走势" in dashboard
    assert "有效点击" in dashboard
    assert "Your clicks and earnings" not in dashboard

    earnings = client.get(reverse("affiliates_own_earnings")).content.decode()
    assert "我的收益" in earnings
    assert "余额" in earnings
    assert "My earnings" not in earnings


@pytest.mark.django_db
def test_creator_who_kept_english_gets_english(client, creator):
    client.force_login(creator.user)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Your clicks and earnings" in dashboard
    assert "你的点击与收益" not in dashboard


@pytest.mark.django_db
def test_editor_who_chose_chinese_gets_a_report_in_chinese(client, editor):
    prefer_chinese(editor)
    client.force_login(editor)
    report = client.get("/admin/reports/articles-performance/").content.decode()
    assert "文章表现" in report
    assert "Articles performance" not in report


@pytest.mark.django_db
def test_reader_site_chrome_follows_the_browser_language(client, review):
    chinese = client.get(review.url, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    html = chinese.content.decode()
    assert '<header class="site-header" lang="zh-hans">' in html
    assert "跳到正文" in html
    assert "你通过文章中的链接购买时，创作者会获得佣金。" in html
    assert "Accept-Language" in chinese["Vary"]

    english = client.get(review.url, headers={"Accept-Language": "en-GB,en;q=0.9"})
    html = english.content.decode()
    assert '<header class="site-header" lang="en">' in html
    assert "Skip to content" in html
    assert "跳到正文" not in html
    # The page itself speaks its article's language (a Chinese review), whoever reads.
    assert '<html lang="zh-hans">' in html

    search = client.get(
        reverse("reader:search"), headers={"Accept-Language": "en-GB,en;q=0.9"}
    )
    assert '<html lang="en">' in search.content.decode()


@pytest.mark.django_db
def test_sign_up_page_in_chinese(client):
    html = client.get(
        reverse("signup"), headers={"Accept-Language": "zh-CN"}
    ).content.decode()
    assert "成为会员" in html
    assert "邮箱地址" in html


# Words we share with Wagtail that we translate better for both screens; every other
# shared msgid must read as Wagtail has it, since ours wins in the whole admin.
WAGTAIL_DIFFERENCES = {
    "Actions": "操作",  # Wagtail: 动作
    "Latest": "最新",  # Wagtail: 最近的
    "Check your email": "请查收邮件",  # Wagtail: 检查您的邮件
    "Sorry, you do not have permission to access this area.": (
        "抱歉，你没有权限访问此区域。"
    ),
}


def test_words_shared_with_wagtail_read_as_wagtail_has_them():
    wagtail_root = Path(wagtail.__file__).parent
    theirs: dict[str, set[str]] = {}
    for mo in wagtail_root.rglob(f"locale/{LANGUAGE}/LC_MESSAGES/django.mo"):
        with mo.open("rb") as file:
            for msgid, msgstr in gettext.GNUTranslations(file)._catalog.items():
                if isinstance(msgid, str) and msgid and msgstr:
                    theirs.setdefault(msgid, set()).add(msgstr)
    differences = []
    for app in APPS:
        for message in catalogue(app):
            if message.context or not isinstance(message.id, str):
                continue
            if message.id not in theirs or message.id in WAGTAIL_DIFFERENCES:
                continue
            if message.string not in theirs[message.id]:
                differences.append(
                    f"{app}: {message.id!r} is {message.string!r}, "
                    f"Wagtail says {sorted(theirs[message.id])}"
                )
    for msgid, ours in WAGTAIL_DIFFERENCES.items():
        assert any(
            m.id == msgid and m.string == ours
            for app in APPS
            for m in catalogue(app)
            if not m.context
        ), f"{msgid!r} is no longer translated as {ours!r}: update WAGTAIL_DIFFERENCES"
    assert not differences, "\n".join(differences)


# -- Wagtail's own strings that its zh_Hans catalogue leaves out (issue 17) ------------

WAGTAIL_GAPS = ROOT / "site" / "zhongcao" / "locale_wagtail" / LANGUAGE / "LC_MESSAGES"


def wagtail_source_ids() -> set[tuple]:
    ids: set[tuple] = set()
    for path in Path(wagtail.__file__).parent.rglob("locale/en/LC_MESSAGES/django.po"):
        with path.open("rb") as file:
            ids |= {key_of(m.context, m.id) for m in read_po(file) if m.id}
    return ids


def test_the_wagtail_gaps_catalogue_only_fills_gaps_and_keeps_placeholders():
    with (WAGTAIL_GAPS / "django.po").open("rb") as file:
        gaps = read_po(file, locale=LANGUAGE)
    ours = set().union(
        *({key_of(m.context, m.id) for m in catalogue(app) if m.id} for app in APPS)
    )
    wagtails = wagtail_source_ids()
    with (WAGTAIL_GAPS / "django.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    problems = []
    for message in gaps:
        if not message.id:
            continue
        key = key_of(message.context, message.id)
        if key not in wagtails:
            problems.append(f"not a Wagtail string: {key!r}")
        if key in ours:
            problems.append(f"one of ours (it would override our own): {key!r}")
        if not message.string or message.fuzzy:
            problems.append(f"untranslated: {key!r}")
        if sorted(PLACEHOLDER.findall(message.id)) != sorted(
            PLACEHOLDER.findall(message.string)
        ):
            problems.append(f"placeholders differ: {key!r}")
        prefix = f"{message.context}\x04" if message.context else ""
        if compiled.gettext(prefix + message.id) != message.string:
            problems.append(f"recompile: {key!r}")
    assert not problems, "\n  ".join(problems)


@pytest.mark.django_db
def test_an_editor_who_chose_chinese_gets_wagtails_screens_in_chinese(
    client, editor, articles
):
    prefer_chinese(editor)
    client.force_login(editor)
    listing = client.get(
        reverse("wagtailadmin_explore", args=[articles.pk])
    ).content.decode()
    for english, chinese in [("Has child pages", "有子页面"), ("Edited by", "编辑者")]:
        assert chinese in listing and english not in listing, english
    account = client.get(reverse("wagtailadmin_account")).content.decode()
    assert "主题偏好" in account and "Theme preferences" not in account
