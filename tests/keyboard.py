"""Driving a page with the keyboard alone, as a person who uses no mouse: Tab (and Shift+Tab)
to move, typing, Enter and Space to act. The tests read which element has the focus only to
know when to stop pressing Tab; they never click, fill or focus an element themselves."""

from __future__ import annotations

from playwright.sync_api import Page

# More presses than any page here needs to reach its last control.
MAX_TABS = 250

_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
  const style = getComputedStyle(e);
  return {
    tag: e.tagName.toLowerCase(),
    type: e.getAttribute("type") || "",
    name: e.getAttribute("name") || "",
    label: label.trim(),
    text: (e.innerText || e.value || "").trim(),
    aria: e.getAttribute("aria-label") || "",
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
  };
}"""


def focused(page: Page) -> dict | None:
    """What has the focus: its tag, type, name, label, text and whether an outline shows it."""
    return page.evaluate(_FOCUSED)


def tab_to(page: Page, describe: str, **wanted: str) -> dict:
    """Press Tab until the focused element matches every ``wanted`` item (a prefix of its
    ``label``, ``text``, ``aria``, or the exact ``tag``/``name``/``type``); return it. Fails
    when it is not reachable, or reachable without a visible focus indicator."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        if element and all(_matches(element, key, value) for key, value in wanted.items()):
            assert element["outline"], f"{describe} has the focus but shows no focus indicator"
            return element
    raise AssertionError(f"{describe} cannot be reached with Tab ({wanted})")


def _matches(element: dict, key: str, value: str) -> bool:
    if key in ("label", "text", "aria"):
        return element[key].startswith(value)
    return element[key] == value


def log_in(page: Page, url: str, username: str, password: str) -> None:
    """The log-in form, by keyboard."""
    page.goto(f"{url}/accounts/login/")
    tab_to(page, "the username field", name="username")
    page.keyboard.type(username)
    tab_to(page, "the password field", name="password")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
