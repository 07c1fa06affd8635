/*
 * Long sections on a phone: each <details open data-fold="narrow"> starts folded on a narrow
 * screen, so the page opens on its headings and their counts rather than on screens of rows.
 * On wider screens, and without this script, they stay open; the one a link's #fragment
 * points into stays open too.
 */
(function () {
  "use strict";

  var NARROW = "(max-width: 43.74rem)"; // the width below which the header's menu folds too

  if (!window.matchMedia(NARROW).matches) return;
  var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  document.querySelectorAll("details[open][data-fold='narrow']").forEach(function (section) {
    if (!(target && section.contains(target))) section.open = false;
  });
})();
