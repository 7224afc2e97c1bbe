"""The provider in a real browser against the real stack: sees the orders clients placed, takes one through its
steps (accept, record the delivery, invoice with the reference checked as typed), and once the client has approved
the invoice reads that the county pays it and on which day; the client rates the service, and the provider's
ratings page counts it without saying who. In Finnish and Swedish; a user of another provider cannot open the
order. Every page passes axe-core; the client's name is never shown."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Browser

from shared.i18n import catalogue
from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.browser.conftest import Demo, Visitor, sign_in, visitor
from tests.browser.test_console import screenshot
from tests.support import eventually

pytestmark = pytest.mark.browser


async def status_of(v: Visitor) -> str:
    return (await v.page.locator("#status").inner_text()).strip()


async def test_a_provider_accepts_delivers_and_invoices_an_order(browser: Browser, demo: Demo) -> None:
    order = demo.clients["citizen-stina"]["order_id"]
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "prov-siisti", "staff")
        assert v.page.url.endswith("/provider/orders")
        rows = v.page.locator("tbody tr")
        assert await rows.count() >= 2  # the demo clients' cleaning orders
        assert "Kotisiivous" in await rows.first.inner_text()
        main = await v.page.locator("main").inner_text()
        assert "Stina" not in main and "Demo Asiakas" not in main  # orders name no client

        await v.goto(f"/provider/orders/{order}")
        assert await status_of(v) == "vahvistettu"
        await v.page.get_by_role("button", name="Otan tilauksen vastaan").click()
        await v.page.wait_for_url(re.compile(rf"/provider/orders/{order}$"))
        await v.check()
        assert await status_of(v) == "tuottaja hyväksyi"

        await v.page.get_by_role("button", name="Kirjaa toimitus").click()  # today, as the field proposes
        await v.page.wait_for_url(re.compile(rf"/provider/orders/{order}$"))
        await v.check()
        assert await status_of(v) == "toimitettu"

        await v.page.get_by_label("Summa (sis. ALV)").fill("240,00")
        await v.page.get_by_label("Josta ALV").fill("48,78")
        await v.page.get_by_label("Viitenumero").fill("1232 4")  # a digit wrong
        await v.page.get_by_role("button", name="Lähetä lasku").click()
        await v.page.wait_for_load_state()
        await v.check()
        summary = v.page.locator(".error-summary")
        assert "Viitenumero ei ole oikein" in await summary.inner_text()
        assert await v.page.get_attribute("#reference", "aria-invalid") == "true"
        assert await v.page.input_value("#amount") == "240,00"  # what was typed stays
        assert await status_of(v) == "toimitettu"  # nothing was sent
        await screenshot(v.page, "console-provider-order.png")

        await v.page.get_by_label("Viitenumero").fill("1232 8")
        await v.page.get_by_role("button", name="Lähetä lasku").click()
        await v.page.wait_for_url(re.compile(rf"/provider/orders/{order}$"))
        await v.check()
        assert await status_of(v) == "laskutettu"
        main = await v.page.locator("main").inner_text()
        assert "240,00\u00a0€" in main and "odottaa asiakkaan tai omatyöntekijän hyväksyntää" in main
        assert await v.page.locator("main form[method=post]").count() == 0  # nothing left for the provider to do
        assert "Lasku odottaa asiakkaan" in await v.page.locator("#payment").inner_text()

        await the_client_approves_and_rates(browser, demo, order, stars=4)
        pay_on = await paid_on(demo, order)  # the saga's answer: budgeting recorded the spending

        async def payment_shown() -> bool:
            await v.page.reload()
            return await v.page.locator("#payment-status").count() > 0

        await eventually(payment_shown, timeout=60)
        await v.check()
        assert await status_of(v) == "maksu ajoitettu"
        said = await v.page.locator("#payment-status").inner_text()
        assert "Maksu ajoitettu" in said and catalogue().translator("console", "fi").date(pay_on) in said
        assert "240,00 €" in said
        await v.goto("/provider/orders")
        assert f"maksetaan {catalogue().translator('console', 'fi').date(pay_on)}" in await v.page.locator(
            "tbody").inner_text()

        await v.goto("/provider/ratings")
        assert "Arviot" in await v.page.locator("h1").inner_text()
        assert "Kotisiivous" in await v.page.locator("tbody").inner_text()
        main = await v.page.locator("main").inner_text()
        assert "Stina" not in main and "Hyvä" not in main  # no one's name, nor their comment
    finally:
        await v.context.close()
    await the_provider_reads_the_payment_in_swedish(browser, demo, order, pay_on)


async def the_provider_reads_the_payment_in_swedish(browser: Browser, demo: Demo, order: str, pay_on: str) -> None:
    v = await visitor(browser, demo.url, lang="sv")
    try:
        await sign_in(v, "prov-siisti", "staff")
        await v.goto(f"/provider/orders/{order}")
        said = await v.page.locator("#payment-status").inner_text()
        assert "Betalningen schemalagd" in said and catalogue().translator("console", "sv").date(pay_on) in said
        await v.goto("/provider/ratings")
        assert "Kotisiivous" in await v.page.locator("tbody").inner_text()
    finally:
        await v.context.close()


def provider_token() -> dict[str, str]:
    return {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue('prov-siisti', 'provider')}"}


async def paid_on(demo: Demo, order: str) -> str:
    """The day the county pays the order, once the saga has scheduled the payment."""
    async with httpx.AsyncClient(base_url=demo.stack.url("marketplace"), headers=provider_token(), timeout=10) as m:
        async def scheduled() -> str | None:
            payment = (await m.get(f"/orders/{order}")).json()["payment"]
            return payment["pay_on"] if payment and payment["status"] == "payment_scheduled" else None

        return await eventually(scheduled, timeout=60)  # type: ignore[no-any-return]


async def rating_count(demo: Demo) -> int:
    async with httpx.AsyncClient(base_url=demo.stack.url("marketplace"), headers=provider_token(), timeout=10) as m:
        return (await m.get("/providers/own/ratings")).json()["count"]  # type: ignore[no-any-return]


async def the_client_approves_and_rates(browser: Browser, demo: Demo, order: str, *, stars: int) -> None:
    """Stina (who reads Swedish) approves the invoice on My orders, then rates the service: first without choosing
    the stars (the error summary names the group, nothing is sent), then with them and a comment."""
    before = await rating_count(demo)
    c = await visitor(browser, demo.url, lang="sv")
    try:
        await sign_in(c, "citizen-stina", "citizen")
        await c.goto("/my/orders")
        await c.page.locator(f"form[action='/my/orders/{order}/invoice-approval'] button").click()
        await c.page.wait_for_url(re.compile(r"/my/orders\?approved=1$"))
        await c.check()

        form = c.page.locator(f"form[action='/my/orders/{order}/rating']")
        assert "Hur gick Kotisiivous?" in await form.locator("fieldset legend").inner_text()
        await form.get_by_label("Kommentar (frivillig)").fill("Hyvä ja huolellinen työ")
        await form.get_by_role("button").click()
        await c.page.wait_for_load_state()
        await c.check()  # the page with the error, too
        summary = c.page.locator(".error-summary")
        assert "Välj ett betyg 1–5" in await summary.inner_text()
        assert await rating_count(demo) == before  # nothing was sent
        target = await summary.get_by_role("link").get_attribute("href")
        assert target and await c.page.locator(target).get_attribute("name") == "stars"  # the link leads to the group
        assert await form.get_by_label("Kommentar (frivillig)").input_value() == "Hyvä ja huolellinen työ"

        await form.get_by_label({4: "4 – bra"}[stars]).check()
        await form.get_by_role("button").click()
        await c.page.wait_for_url(re.compile(r"/my/orders\?rated=1$"))
        await c.check()
        assert f"ditt betyg {stars} / 5" in await c.page.locator("#ratings-given").inner_text()
        assert await c.page.locator(f"form[action='/my/orders/{order}/rating']").count() == 0  # rated once
        assert await rating_count(demo) == before + 1
    finally:
        await c.context.close()


async def test_a_provider_reads_the_orders_in_swedish(browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url, lang="sv")
    try:
        await sign_in(v, "prov-siisti", "staff")
        assert "Beställningar" in await v.page.locator("h1").inner_text()
        await v.page.locator("tbody tr a").first.click()
        await v.page.wait_for_url(re.compile(r"/provider/orders/[0-9a-f-]{36}$"))
        await v.check()
        assert "Beställningens skeden" in await v.page.locator("main").inner_text()
        await v.goto("/provider/ratings")
        assert "Betyg" in await v.page.locator("h1").inner_text()
        main = await v.page.locator("main").inner_text()
        assert "Betyg per tjänst" in main or "inte fått några betyg" in main
        await v.goto("/provider/purchases")  # a cleaning firm sells no items: the page says so, in words
        assert "Engångsköp" in await v.page.locator("h1").inner_text()
    finally:
        await v.context.close()


async def test_another_providers_user_cannot_open_the_order(browser: Browser, demo: Demo) -> None:
    order = demo.clients["citizen-demo"]["order_id"]
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "prov-apu", "staff")  # signed in, but acting for no provider of these orders
        response = await v.page.goto(f"{demo.url}/provider/orders/{order}")
        assert response is not None and response.status == 403
        await v.check()
        assert "Kotisiivous" not in await v.page.content()
        # With the page's own CSRF token the console passes the step on, and the marketplace refuses it.
        csrf = await v.page.get_attribute("form[action='/sign-out'] input[name=csrf]", "value")
        sent = await v.context.request.post(f"{demo.url}/provider/orders/{order}/acceptance", form={"csrf": csrf or ""},
                                            max_redirects=0)
        assert sent.status == 403
    finally:
        await v.context.close()
