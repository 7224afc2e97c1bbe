"""Whole journeys with the keyboard alone (issues 15 and 19; WCAG 2.1.1, 2.1.2, 2.4.1, 2.4.3, 2.4.7): the worker
records a check-in with each goal's level, the client adds a wish to their plan, a guardian chooses whom she acts
for, and the worker records a support person and makes her agreement through its check-your-answers page. Only Tab,
Shift+Tab, the arrow keys, Space, Enter and typing: the skip link leads to the content, a radio group is one stop
chosen with the arrows, a missing answer puts the focus on the error summary whose links move it to the field.

On every page walked: each stop shows where the focus is (an outline or a box shadow), every control a person can
use is reached with Tab, and Tab leaves the page again (no keyboard trap). Every page passes axe-core."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser

from tests.browser.conftest import Demo, Visitor, visitor
from tests.browser.test_followup_pages import a_client_followed_up, followup_of
from tests.browser.test_representative import CHILD, banner, guardian_reads_the_child
from tests.browser.test_support_persons import IBAN, a_client_with_support_money, support_of
from tests.browser.world import temporary_hetu

pytestmark = pytest.mark.browser

# What has the focus, in words a failure message can use, and whether a person sees where it is.
FOCUSED = """(() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  window.__stops = window.__stops || new WeakMap(); window.__next = window.__next || 0;
  if (!window.__stops.has(el)) window.__stops.set(el, ++window.__next);
  const s = getComputedStyle(el);
  const outlined = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadowed = s.boxShadow && s.boxShadow !== 'none';
  const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
  return {stop: window.__stops.get(el), tag: el.tagName.toLowerCase(), id: el.id, type: el.type || '',
          name: el.name || '', checked: !!el.checked, visible: outlined || shadowed,
          text: (label || el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 80)};
})()"""

# Every control a person can reach with Tab (a radio group is one stop), as the same numbers FOCUSED gives.
TABBABLE = """(() => {
  window.__stops = window.__stops || new WeakMap(); window.__next = window.__next || 0;
  const all = document.querySelectorAll(
    'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), ' +
    'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])');
  const groups = new Map();
  const out = [];
  for (const el of all) {
    if (el.getClientRects().length === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (!window.__stops.has(el)) window.__stops.set(el, ++window.__next);
    const text = (el.innerText || el.name || el.id || '').trim().slice(0, 60);
    if (el.type === 'radio' && el.name) {
      const key = (el.form ? el.form.action : '') + '|' + el.name;
      if (!groups.has(key)) { groups.set(key, []); out.push({group: groups.get(key), text: el.name}); }
      groups.get(key).push(window.__stops.get(el));
    } else {
      out.push({group: [window.__stops.get(el)], text: text});
    }
  }
  return out;
})()"""


async def focused(v: Visitor) -> dict[str, Any] | None:
    return await v.page.evaluate(FOCUSED)  # type: ignore[no-any-return]


async def press(v: Visitor, key: str) -> dict[str, Any] | None:
    """One key; whatever then has the focus must show it."""
    await v.page.keyboard.press(key)
    now = await focused(v)
    assert now is None or now["visible"], f"{key} on {v.page.url}: the focus on {now} cannot be seen"
    return now


async def walk(v: Visitor) -> None:
    """Tab round the whole page from where the focus is, until it comes back: every stop visible, every control
    reached (a trap would keep some out), and then the focus put back where the page had put it."""
    await v.page.evaluate("window.__origin = document.activeElement")
    tabbable = await v.page.evaluate(TABBABLE)
    seen: list[int] = []
    for _ in range(2 * len(tabbable) + 10):
        now = await press(v, "Tab")
        if now is None:
            continue  # past the end of the page: on round to its top
        if seen and now["stop"] == seen[-1]:
            continue  # the next part of the same field (a date's day, month, year)
        if now["stop"] in seen:
            break
        seen.append(now["stop"])
    else:
        raise AssertionError(f"the focus never came round on {v.page.url}: a keyboard trap after {seen[-5:]}")
    missed = [t["text"] for t in tabbable if not set(t["group"]) & set(seen)]
    assert missed == [], f"cannot be reached with Tab on {v.page.url}: {missed}"
    await v.page.evaluate("""(() => {
      const o = window.__origin;
      if (o && o !== document.body) { o.focus(); return; }
      if (document.activeElement) document.activeElement.blur();
      const h = location.hash;  // a fragment the page was opened at is where Tab starts from: open it again
      if (h) { history.replaceState(null, '', location.pathname + location.search); location.hash = h; }
    })()""")
    now = await focused(v)
    if now is not None and now["stop"] == seen[0] and await v.page.evaluate("window.__origin === document.body"):
        await press(v, "Shift+Tab")  # before the first stop again, as the page was opened


async def from_the_top(v: Visitor) -> None:
    """The skip link is the first stop, and Enter on it leads past the header and the navigation to the content."""
    for _ in range(150):  # back before the page's first stop, as a freshly opened page is
        if await press(v, "Shift+Tab") is None:
            break
    skip = await press(v, "Tab")
    assert skip is not None and skip["tag"] == "a" and skip["text"].startswith("Siirry sisältöön"), skip
    await v.page.keyboard.press("Enter")
    assert await v.page.evaluate("document.activeElement.id") == "content"


async def tab_to(v: Visitor, text: str | re.Pattern[str], limit: int = 80) -> dict[str, Any]:
    """Tab until the focused control's text or label starts with ``text`` (or matches the pattern)."""
    for _ in range(limit):
        now = await press(v, "Tab")
        if now and (re.search(text, now["text"]) if isinstance(text, re.Pattern) else now["text"].startswith(text)):
            return now
    raise AssertionError(f"{text!r} cannot be reached with Tab on {v.page.url}")


async def tab_until(v: Visitor, wanted: Any, limit: int = 80) -> dict[str, Any]:
    """Tab until the focused control is the one ``wanted`` says (by its id or name)."""
    for _ in range(limit):
        now = await press(v, "Tab")
        if now and wanted(now):
            return now
    raise AssertionError(f"the control cannot be reached with Tab on {v.page.url}")


async def choose(v: Visitor, label: str) -> None:
    """In the radio group that has the focus: the arrow keys to ``label``, then Space (as the first needs)."""
    now = await focused(v)
    assert now and now["type"] == "radio", now
    for _ in range(12):
        if now and now["text"] == label:
            if not now["checked"]:
                now = await press(v, "Space")
            assert now and now["checked"], now
            return
        now = await press(v, "ArrowDown")
    raise AssertionError(f"no choice {label!r} in the group")


async def type_in(v: Visitor, text: str) -> None:
    await v.page.keyboard.type(text)


async def enter(v: Visitor) -> None:
    """Enter on the focused link or button: the next page, checked and walked."""
    async with v.page.expect_navigation():
        await v.page.keyboard.press("Enter")
    await v.check()
    await walk(v)


async def summary_has_the_focus(v: Visitor, words: str) -> None:
    now = await focused(v)
    assert now and "error-summary" in (await v.page.evaluate("document.activeElement.className")), now
    assert now["visible"], "the error summary's focus cannot be seen"
    assert words in now["text"], now


async def sign_in_by_keyboard(v: Visitor, name: str) -> None:
    await v.goto("/dev/sign-in")
    await walk(v)
    await tab_to(v, name)
    async with v.page.expect_navigation(url=lambda url: "/dev/sign-in" not in url and url.startswith(v.origin)):
        await v.page.keyboard.press("Enter")
    await v.page.wait_for_load_state()
    await v.check()


async def test_the_worker_records_a_check_in_with_gas_levels_with_the_keyboard_alone(browser: Browser,
                                                                                    demo: Demo) -> None:
    cid = await asyncio.to_thread(a_client_followed_up, demo, 943, "Kaisa", "Näppäilevä", "fi")
    v = await visitor(browser, demo.url)
    try:
        await sign_in_by_keyboard(v, "Aino Virtanen")
        await v.goto(f"/clients/{cid}")
        await from_the_top(v)
        await tab_to(v, "Avaa seuranta")
        await enter(v)
        assert await v.page.locator("h1").inner_text() == "Seuranta: Kaisa Näppäilevä"

        # The contact by arrows, both texts typed, the goal's level forgotten: the focus goes to the summary.
        await from_the_top(v)
        contact = await tab_until(v, lambda f: f["name"] == "contact_type")
        assert not contact["checked"]
        await choose(v, "Kotikäynti")
        await tab_until(v, lambda f: f["id"] == "client_account")
        await type_in(v, "Aamut sujuvat jo paremmin.")
        await press(v, "Tab")
        await type_in(v, "Seuraava käynti kuukauden päästä.")
        await tab_to(v, "Tallenna seurantatapaaminen")
        await enter(v)
        await summary_has_the_focus(v, "Valitse tavoitteen taso")
        assert (await asyncio.to_thread(followup_of, demo, cid))["check_ins"] == []

        # The summary's link moves the focus to the goal's first level; the arrows pick "+1".
        await tab_to(v, "Valitse tavoitteen taso")
        await v.page.keyboard.press("Enter")
        goal_id = (await asyncio.to_thread(followup_of, demo, cid))["goals"][0]["goal_id"]
        now = await focused(v)
        assert now and now["id"] == f"goal-{goal_id}-much_less_than_expected", now
        assert now["visible"]
        await choose(v, "+1 Odotettua paremmin: Joka päivä")
        await tab_to(v, "Tallenna seurantatapaaminen")
        await enter(v)
        assert "Seurantatapaaminen ja tavoitteiden tilanne on kirjattu." in \
            await v.page.locator("[role=status]").inner_text()
        # The page opens at the check-ins: Tab goes on from there, not from the top of the page.
        await press(v, "Tab")
        assert await v.page.evaluate(
            "!!(document.getElementById('check-ins').compareDocumentPosition(document.activeElement)"
            " & Node.DOCUMENT_POSITION_FOLLOWING)"), await focused(v)
        recorded = await asyncio.to_thread(followup_of, demo, cid)
        assert len(recorded["check_ins"]) == 1 and recorded["goals"][0]["level"] == 1
        assert recorded["check_ins"][0]["contact_type"] == "home_visit"
    finally:
        await v.context.close()


async def test_the_client_adds_a_wish_and_a_guardian_chooses_whom_she_acts_for_with_the_keyboard_alone(
        browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url)
    try:
        await sign_in_by_keyboard(v, "Demo Asiakas")
        assert v.page.url.endswith("/my/plan")
        await walk(v)
        await from_the_top(v)
        await tab_to(v, "Tallenna toive")
        await enter(v)
        await summary_has_the_focus(v, "Kirjoita toiveesi ennen tallentamista.")
        await tab_to(v, "Kirjoita toiveesi")
        await v.page.keyboard.press("Enter")
        assert await v.page.evaluate("document.activeElement.id") == "wish"
        wish = "Haluaisin käydä uimassa näppäimistön kanssa"
        await type_in(v, wish)
        await tab_to(v, "Tallenna toive")
        await enter(v)
        assert v.page.url.endswith("/my/plan?wish=added")
        main = await v.page.locator("main").inner_text()
        assert "Toiveesi on tallennettu suunnitelmaasi." in main and wish in main
    finally:
        await v.context.close()

    await guardian_reads_the_child(demo)
    g = await visitor(browser, demo.url)
    try:
        await sign_in_by_keyboard(g, "Marja Koivisto")
        await walk(g)
        await tab_to(g, "Kenen puolesta toimin")
        await enter(g)
        assert await g.page.locator("h1").inner_text() == "Kenen puolesta toimit?"
        await from_the_top(g)
        await tab_until(g, lambda f: f["name"] == "whom")
        await choose(g, f"{CHILD} (huoltaja)")
        await tab_to(g, "Jatka")
        await enter(g)
        assert g.page.url.endswith("/my/plan")
        assert await banner(g) == f"Toimit henkilön {CHILD} puolesta (huoltaja)"
    finally:
        await g.context.close()


async def type_date(v: Visitor, field: str, day: date) -> None:
    """Typed into a date field's parts as a person does: the field moves on from day to month to year by itself.
    The parts' order is the browser's own language's (d.m.yyyy in Finnish, m/d/yyyy in this test browser's English):
    typed in the Finnish order, and again month first if the field read it so."""
    await type_in(v, day.strftime("%d%m%Y"))
    if await v.page.input_value(f"#{field}") != day.isoformat():
        await press(v, "Shift+Tab")
        await press(v, "Shift+Tab")
        await type_in(v, day.strftime("%m%d%Y"))
    assert await v.page.input_value(f"#{field}") == day.isoformat()


async def test_the_worker_records_a_support_person_and_makes_her_agreement_with_the_keyboard_alone(
        browser: Browser, demo: Demo) -> None:
    cid = await asyncio.to_thread(a_client_with_support_money, demo, 976, "Kerttu", "Näppäin", "fi")
    v = await visitor(browser, demo.url)
    try:
        await sign_in_by_keyboard(v, "Aino Virtanen")
        await v.goto(f"/clients/{cid}")
        await from_the_top(v)
        await tab_to(v, "Tukihenkilöt ja sopimukset")
        await enter(v)
        await from_the_top(v)
        await tab_to(v, "Kirjaa tukihenkilö")
        await enter(v)

        # Everything but her consent: the summary has the focus, its link leads to the box, Space ticks it.
        await from_the_top(v)
        await tab_until(v, lambda f: f["id"] == "name")
        await type_in(v, "Aili Näppäin")
        await press(v, "Tab")
        await choose(v, "Sukulainen tai läheinen")
        await tab_until(v, lambda f: f["id"] == "tasks")
        await type_in(v, "Hoitaa lapsia tiistaisin")
        await tab_until(v, lambda f: f["id"] == "hetu")
        await type_in(v, temporary_hetu("010150", 978))
        await press(v, "Tab")
        await type_in(v, IBAN)
        await tab_to(v, "Kirjaa tukihenkilö")
        await enter(v)
        await summary_has_the_focus(v, "omalla suostumuksellaan")
        assert (await asyncio.to_thread(support_of, demo, cid))["support_persons"] == []
        await tab_to(v, re.compile("omalla suostumuksellaan"))
        await v.page.keyboard.press("Enter")
        assert await v.page.evaluate("document.activeElement.id") == "consent"
        await press(v, "Space")
        assert await v.page.is_checked("#consent")
        await tab_to(v, "Kirjaa tukihenkilö")
        await enter(v)
        assert "Tukihenkilö on kirjattu suunnitelmaan." in await v.page.locator("[role=status]").inner_text()

        # The agreement: choices by arrows, amounts and dates typed, checked on its own page, then made.
        await from_the_top(v)
        await tab_to(v, "Tee toimeksiantosopimus")
        await enter(v)
        await from_the_top(v)
        await tab_until(v, lambda f: f["name"] == "person_id")
        await choose(v, "Aili Näppäin (Sukulainen tai läheinen)")
        await tab_until(v, lambda f: f["name"] == "fee_basis")
        await choose(v, "Tuntipalkkio")
        first = date.today().replace(day=1)
        last = (first + timedelta(days=62)).replace(day=1) - timedelta(days=1)
        for field, typed in (("fee", "15,00"), ("max_hours", "20"), ("expenses_cap", "50,00")):
            await tab_until(v, lambda f, field=field: f["id"] == field)  # type: ignore[misc]
            await type_in(v, typed)
        for field, day in (("period_start", first), ("period_end", last)):
            await tab_until(v, lambda f, field=field: f["id"] == field)  # type: ignore[misc]
            await type_date(v, field, day)
        await tab_until(v, lambda f: f["id"] == "earnings_type")
        if not await v.page.input_value("#earnings_type"):
            await type_in(v, "216")
        await tab_to(v, "Jatka")
        await enter(v)
        assert await v.page.locator("h1").inner_text() == "Tarkista sopimus ennen lähettämistä", \
            await v.page.locator(".error-summary").inner_text()
        answers = await v.page.locator("#answers").inner_text()
        assert "Aili Näppäin" in answers and "enintään 20 tuntia" in answers
        await from_the_top(v)
        await tab_to(v, "Tee sopimus")
        await enter(v)
        assert await v.page.locator("h1").inner_text() == "Sopimus: Aili Näppäin"
    finally:
        await v.context.close()
