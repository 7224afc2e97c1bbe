"""The provider in a real browser against the real stack: sees the orders clients placed, takes one through its
steps (accept, record the delivery, invoice with the reference checked as typed), in Finnish and Swedish; a user
of another provider cannot open the order. Every page passes axe-core; the client's name is never shown."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser

from tests.browser.conftest import Demo, Visitor, sign_in, visitor
from tests.browser.test_console import screenshot

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
    finally:
        await v.context.close()


async def test_a_provider_reads_the_orders_in_swedish(browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url, lang="sv")
    try:
        await sign_in(v, "prov-siisti", "staff")
        assert "Beställningar" in await v.page.locator("h1").inner_text()
        await v.page.locator("tbody tr a").first.click()
        await v.page.wait_for_url(re.compile(r"/provider/orders/[0-9a-f-]{36}$"))
        await v.check()
        assert "Beställningens skeden" in await v.page.locator("main").inner_text()
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
