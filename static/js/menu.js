/*
 * The header's menu on narrow screens: a <details data-site-menu> that opens and closes
 * without this script. The script adds what a disclosure menu is expected to do besides:
 * Escape closes it and puts the focus back on its "Menu" button, and a click or a focus
 * outside it closes it. On wide screens the menu's button is hidden and its content always
 * shown, so closing changes nothing there.
 */
(function () {
  "use strict";

  function setUp(menu) {
    var toggle = menu.querySelector("summary");

    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !menu.open) return;
      var focusWasInside = menu.contains(document.activeElement);
      menu.open = false;
      if (focusWasInside) toggle.focus();
    });

    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });

    document.addEventListener("focusin", function (event) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var menu = document.querySelector("[data-site-menu]");
    if (menu) setUp(menu);
  });
})();
